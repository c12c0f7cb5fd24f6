"""What the test servers share: serve on 127.0.0.1 until the parent process goes away.

A parent may have blocked or ignored SIGTERM (inherited across exec): the defaults are restored,
and the server exits when its parent does, so a killed test run leaves no server behind. The
chosen port is printed on the first line of stdout.
"""
import os
import signal
import threading
import time
from http.server import ThreadingHTTPServer


def serve(handler, args):
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    parent = os.getppid()

    def watch_parent():
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=watch_parent, daemon=True).start()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), handler)
    server.daemon_threads = True
    server.request_queue_size = 1024
    server.args = args
    print(server.server_address[1], flush=True)
    server.serve_forever()
