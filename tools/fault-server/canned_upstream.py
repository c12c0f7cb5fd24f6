#!/usr/bin/env python3
"""A tiny, instant, deterministic OpenAI-compatible server (standard library only), to put behind
fault_proxy.py when a run needs thousands of requests (llama.cpp is too slow for that).

    canned_upstream.py [--port P] [--poison-permille M] [--echo-auth] [--delay-ms D]

POST /v1/chat/completions and /v1/completions answer at once. The answer depends only on the
request body: the first `a OP b` in the prompt is solved, and the sample's `seed` decides whether
the reply is right (about 70%) or off by one, so a run is reproducible and its accuracy is neither
0 nor 1. With --poison-permille M, a request whose body hashes into the first M of 1000 buckets
always gets HTTP 500 ("poisoned"): its retries carry the same body, so it fails for good — a
permanent failure, as a broken prompt on a real endpoint would be. With --echo-auth, that error
quotes the request's Authorization header back (as some APIs quote a rejected key), to check that
a client never records a key that a server sends back.

POST /poison with {"permille": M} changes the poisoned share while the server runs (a server that
fails a share of requests for a while, then recovers: {"permille": 0}).

With --refuse-permille R, a request whose body hashes into the last R of 1000 buckets gets HTTP 400
with vLLM's context-length message ("This model's maximum context length is ..."): a refusal about
the input, which a client must record as the system's outcome, not retry.

A POST outside /v1/ gets HTTP 404 {"detail": "Not Found"}, as vLLM and other FastAPI servers answer
a base_url that lacks /v1. With --served-model NAME, a request for another model gets vLLM's 404
("The model `x` does not exist.").

With --delay-ms D, every POST is answered after D milliseconds (a latency endpoint: the requests
in flight then show how many a client keeps open; /stats reports the most at once as
"peak_in_flight").

GET /v1/models lists the model; GET /stats returns {"requests", "not_found_requests", "refused_requests", "poisoned_requests",
"poisoned_bodies", "authorization": {header value: count}, "no_authorization"} so a test can check
which credentials arrived (the Authorization header is the only place a key may go).
The process exits when its parent does. Prints the port on the first line of stdout.
"""
import argparse, hashlib, json, re, threading, time
from http.server import BaseHTTPRequestHandler

from serving import serve

lock = threading.Lock()
stats = {"refused_requests": 0, "not_found_requests": 0, "in_flight": 0, "peak_in_flight": 0, "requests": 0, "poisoned_requests": 0, "poisoned_bodies": set(), "authorization": {}, "no_authorization": 0}
EXPR = re.compile(r"(-?\d+)\s*(\+|-|\\times|\*|×)\s*(-?\d+)")


def answer_for(prompt, seed):
    m = EXPR.search(prompt)
    if not m:
        return 42
    a, op, b = int(m.group(1)), m.group(2), int(m.group(3))
    value = a + b if op == "+" else a - b if op == "-" else a * b
    right = int(hashlib.sha256(f"{seed}|{prompt}".encode()).hexdigest()[:8], 16) % 10 < 7
    return value if right else value + 1


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def send_json(self, status, obj):
        body = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path == "/stats":
            with lock:
                out = dict(stats, poisoned_bodies=len(stats["poisoned_bodies"]))
            return self.send_json(200, out)
        if self.path.rstrip("/").endswith("/models"):
            return self.send_json(200, {"object": "list", "data": [{"id": "canned", "object": "model"}]})
        self.send_json(404, {"error": {"message": "not found"}})

    def do_POST(self):
        if self.path == "/poison":
            length = int(self.headers.get("Content-Length") or 0)
            self.server.args.poison_permille = int(json.loads(self.rfile.read(length) or b"{}").get("permille", 0))
            return self.send_json(200, {"permille": self.server.args.poison_permille})
        if not self.path.startswith("/v1/"):
            length = int(self.headers.get("Content-Length") or 0)
            self.rfile.read(length)
            with lock:
                stats["not_found_requests"] += 1
            return self.send_json(404, {"detail": "Not Found"})
        with lock:
            stats["in_flight"] += 1
            stats["peak_in_flight"] = max(stats["peak_in_flight"], stats["in_flight"])
        try:
            if self.server.args.delay_ms > 0:
                time.sleep(self.server.args.delay_ms / 1000.0)
            self.answer()
        finally:
            with lock:
                stats["in_flight"] -= 1

    def answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        auth = self.headers.get("Authorization")
        digest = hashlib.sha256(raw).digest()
        poisoned = int.from_bytes(digest[:4], "big") % 1000 < self.server.args.poison_permille
        with lock:
            stats["requests"] += 1
            if auth is None:
                stats["no_authorization"] += 1
            else:
                stats["authorization"][auth] = stats["authorization"].get(auth, 0) + 1
            if poisoned:
                stats["poisoned_requests"] += 1
                stats["poisoned_bodies"].add(digest)
        refused = int.from_bytes(digest[4:8], "big") % 1000 >= 1000 - self.server.args.refuse_permille
        if refused and not poisoned:
            with lock:
                stats["refused_requests"] += 1
            return self.send_json(400, {"object": "error", "type": "BadRequestError", "param": None, "code": 400,
                                        "message": "This model's maximum context length is 64 tokens. However, you requested 2048 "
                                                   "tokens (80 in the messages, 1968 in the completion). Please reduce the length "
                                                   "of the messages or completion."})
        if poisoned:
            message = "poisoned request (permanent failure)"
            if self.server.args.echo_auth:
                message += f"; you sent Authorization: {auth}"
            return self.send_json(500, {"error": {"message": message}})
        try:
            req = json.loads(raw)
        except ValueError:
            return self.send_json(400, {"error": {"message": "invalid JSON"}})
        served = self.server.args.served_model
        if served and req.get("model") != served:
            return self.send_json(404, {"object": "error", "type": "NotFoundError", "param": None, "code": 404,
                                        "message": f"The model `{req.get('model')}` does not exist."})
        chat = self.path.endswith("/chat/completions")
        if chat:
            prompt = "\n".join(str(m.get("content", "")) for m in req.get("messages", []))
        else:
            prompt = str(req.get("prompt", ""))
        seed = req.get("seed", 0)
        n = max(1, int(req.get("n", 1) or 1))
        choices = []
        for i in range(n):
            text = f"Working it out. The answer is \\boxed{{{answer_for(prompt, seed + i)}}}."
            c = {"index": i, "finish_reason": "stop"}
            if chat:
                c["message"] = {"role": "assistant", "content": text}
            else:
                c["text"] = text
            choices.append(c)
        self.send_json(200, {
            "id": "canned-" + digest.hex()[:12], "object": "chat.completion" if chat else "text_completion",
            "created": 0, "model": req.get("model", "canned"), "choices": choices,
            "usage": {"prompt_tokens": max(1, len(prompt) // 4), "completion_tokens": 12 * n,
                      "total_tokens": max(1, len(prompt) // 4) + 12 * n},
        })


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--poison-permille", type=int, default=0)
    p.add_argument("--echo-auth", action="store_true")
    p.add_argument("--delay-ms", type=float, default=0)
    p.add_argument("--refuse-permille", type=int, default=0)
    p.add_argument("--served-model", default="")
    args = p.parse_args()
    serve(Handler, args)


if __name__ == "__main__":
    main()
