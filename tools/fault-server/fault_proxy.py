#!/usr/bin/env python3
"""A counting, fault-injecting HTTP proxy for OpenAI-compatible endpoints (standard library only).

    fault_proxy.py --port P --upstream http://127.0.0.1:U [--faults SPEC] [--every K] [--hang S] [--delay S]

Forwards every POST to the upstream server (keep-alive on both sides) and counts requests and the
most requests in flight at once. With --faults, request number i (1-based, in arrival order)
gets a fault when i % K == 1 (K = --every, default 4), cycling through SPEC, a comma list of:
  429      429 with Retry-After: 1          503      503 with Retry-After: 0
  500      500 with a short HTML body       reset    the connection is reset, no response
  hang     no answer for --hang seconds, then the connection closes
  truncated  the upstream's JSON cut in half  invalid  200 with a non-JSON body
  empty    200 with "choices": []           nomessage 200 whose choice has no message/text
GET /stats returns {"requests", "max_inflight", "faults": {kind: count}, "forwarded"};
POST /reset-stats zeroes them. Any other GET is forwarded (e.g. /v1/models for readiness).
With --delay S, every POST waits S seconds before it is forwarded (a slow replica: the affinity
test kills one while its requests are surely in flight).
With --log FILE, every POST appends one JSON line {"prompt": ...} (the body's prompt, or its last
message's content) to FILE: which requests this replica received (the affinity test reads it).
"""
import argparse, http.client, json, socket, struct, sys, threading, time
from http.server import BaseHTTPRequestHandler

from serving import serve
from urllib.parse import urlparse

lock = threading.Lock()
stats = {"requests": 0, "inflight": 0, "max_inflight": 0, "faults": {}, "forwarded": 0}
local = threading.local()


def upstream_conn(args):
    conn = getattr(local, "conn", None)
    if conn is None:
        u = urlparse(args.upstream)
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
        local.conn = conn
    return conn


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def send_bytes(self, status, body, headers=()):
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def forward(self, method, body):
        for attempt in range(2):
            conn = upstream_conn(self.server.args)
            try:
                conn.request(method, self.path, body=body, headers={"Content-Type": "application/json"})
                r = conn.getresponse()
                data = r.read()
                return r.status, data
            except (http.client.HTTPException, OSError):
                conn.close()
                local.conn = None
                if attempt == 1:
                    raise

    def do_GET(self):
        if self.path == "/stats":
            with lock:
                body = json.dumps({k: v for k, v in stats.items() if k != "inflight"}).encode()
            return self.send_bytes(200, body)
        status, data = self.forward("GET", None)
        self.send_bytes(status, data)

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        if self.path == "/reset-stats":
            with lock:
                stats.update(requests=0, max_inflight=0, faults={}, forwarded=0)
            return self.send_bytes(200, b"{}")
        args = self.server.args
        if args.log:
            try:
                d = json.loads(body)
                prompt = d.get("prompt") if "prompt" in d else (d.get("messages") or [{}])[-1].get("content")
            except (ValueError, AttributeError, TypeError):
                prompt = None
            with lock:
                with open(args.log, "a") as f:
                    f.write(json.dumps({"prompt": prompt}) + "\n")
        with lock:
            stats["requests"] += 1
            i = stats["requests"]
            stats["inflight"] += 1
            stats["max_inflight"] = max(stats["max_inflight"], stats["inflight"])
            fault = None
            if args.faults and i % args.every == 1 % args.every:
                kinds = args.faults.split(",")
                fault = kinds[((i - 1) // args.every) % len(kinds)]
                stats["faults"][fault] = stats["faults"].get(fault, 0) + 1
        try:
            if args.delay > 0:
                time.sleep(args.delay)
            self.handle_fault(fault, body) if fault else self.pass_through(body)
        finally:
            with lock:
                stats["inflight"] -= 1

    def pass_through(self, body):
        status, data = self.forward("POST", body)
        with lock:
            stats["forwarded"] += 1
        self.send_bytes(status, data)

    def handle_fault(self, fault, body):
        if fault == "429":
            self.send_bytes(429, b'{"error":{"message":"rate limited"}}', [("Retry-After", "1")])
        elif fault == "503":
            self.send_bytes(503, b'{"error":{"message":"overloaded"}}', [("Retry-After", "0")])
        elif fault == "500":
            self.send_bytes(500, b"<html><body>Internal Server Error</body></html>")
        elif fault == "reset":
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            self.close_connection = True
        elif fault == "hang":
            time.sleep(self.server.args.hang)
            self.close_connection = True
        elif fault in ("truncated", "invalid", "empty", "nomessage"):
            status, data = self.forward("POST", body)
            if fault == "truncated":
                data = data[: len(data) // 2]
            elif fault == "invalid":
                data = b"upstream said: <<not json>> " + data[:40]
            elif fault == "empty":
                d = json.loads(data); d["choices"] = []; data = json.dumps(d).encode()
            else:
                d = json.loads(data)
                for c in d.get("choices", []):
                    c.pop("message", None); c.pop("text", None)
                data = json.dumps(d).encode()
            self.send_bytes(200, data)
        else:
            self.send_bytes(500, b"unknown fault")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--upstream", required=True)
    p.add_argument("--faults", default="")
    p.add_argument("--every", type=int, default=4)
    p.add_argument("--hang", type=float, default=3.0)
    p.add_argument("--delay", type=float, default=0.0, help="seconds every POST waits before it is forwarded")
    p.add_argument("--log", default="", help="append each POST's prompt to this file (one JSON line per request)")
    args = p.parse_args()
    serve(Handler, args)


if __name__ == "__main__":
    main()
