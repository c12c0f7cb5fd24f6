#!/usr/bin/env python3
"""Check that llama.cpp (llama-cpp-python's OpenAI server) serves tiny-add.gguf faithfully.

Starts `python -m llama_cpp.server` on a free 127.0.0.1 port, waits for /v1/models, then:
  1. greedy (temperature 0) /v1/completions on the 500 held-out prompts of heldout.jsonl,
     compared with the PyTorch model's greedy continuations recorded by train.py;
  2. /v1/chat/completions with the GGUF's chat template gives the completions answer;
  3. the same seed + temperature reproduces the text, other seeds vary it, and
     temperature 0 ignores the seed;
  4. `n` > 1 is accepted and ignored (one choice);
  5. request rate, sequentially (the server handles one request at a time).
Stops the server and exits non-zero when a check fails. Standard library only.

Usage: check_server.py [--python /opt/ttsbench-llama-venv/bin/python] [--model tiny-add.gguf]
"""
import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
# llama-cpp-python's defaults are not plain sampling (top_k 40, top_p 0.95, min_p 0.05,
# repeat_penalty 1.1): switch them off explicitly.
PLAIN = {"repeat_penalty": 1.0, "top_k": 0, "top_p": 1.0, "min_p": 0.0}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def post(base, path, body, timeout=60):
    req = urllib.request.Request(
        base + path, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return json.loads(r.read())


def complete(base, prompt, **kw):
    body = {"prompt": prompt, "max_tokens": 8, "temperature": 0.0, **PLAIN, **kw}
    return post(base, "/v1/completions", body)


def chat(base, content, **kw):
    body = {
        "messages": [{"role": "user", "content": content}],
        "max_tokens": 8,
        "temperature": 0.0,
        **PLAIN,
        **kw,
    }
    return post(base, "/v1/chat/completions", body)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    venv = os.environ.get("LLAMA_VENV", "/opt/ttsbench-llama-venv")
    ap.add_argument("--python", default=os.path.join(venv, "bin", "python"))
    ap.add_argument("--model", default=os.path.join(HERE, "tiny-add.gguf"))
    ap.add_argument("--heldout", default=os.path.join(HERE, "heldout.jsonl"))
    ap.add_argument("--rate-requests", type=int, default=200)
    ap.add_argument(
        "--sampling-prompts", type=int, default=0,
        help="also measure one-sample, majority@8 and pass@8 accuracy at T=0.7 and 1.0 on this many held-out prompts",
    )
    args = ap.parse_args()

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    cmd = [
        args.python, "-m", "llama_cpp.server",
        "--model", args.model,
        "--host", "127.0.0.1",
        "--port", str(port),
        "--n_ctx", "512",
    ]
    print("server:", " ".join(cmd))
    server_log = tempfile.NamedTemporaryFile("w+", prefix="llama-server-", suffix=".log", delete=False)
    t_start = time.time()
    proc = subprocess.Popen(cmd, stdout=server_log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    failures = []

    def check(ok, what):
        print(("ok   " if ok else "FAIL ") + what)
        if not ok:
            failures.append(what)

    try:
        deadline = time.time() + 120
        while True:
            if proc.poll() is not None:
                server_log.seek(0)
                sys.exit("server exited early:\n" + server_log.read()[-4000:])
            try:
                with urllib.request.urlopen(base + "/v1/models", timeout=2) as r:
                    models = json.loads(r.read())
                break
            except (urllib.error.URLError, ConnectionError, OSError):
                if time.time() > deadline:
                    sys.exit("server not ready after 120 s")
                time.sleep(0.1)
        print(f"ready in {time.time() - t_start:.1f} s; models: {[m['id'] for m in models['data']]}")

        # 1. greedy agreement with PyTorch on the held-out prompts
        items = [json.loads(line) for line in open(args.heldout)]
        agree = correct = 0
        misses = []
        t0 = time.time()
        for it in items:
            r = complete(base, it["prompt"])
            text = r["choices"][0]["text"]
            agree += text == it["torch_greedy"]
            correct += text == it["answer"]
            if text != it["torch_greedy"] and len(misses) < 5:
                misses.append((it["prompt"], it["torch_greedy"], text))
        dt = time.time() - t0
        n = len(items)
        print(
            f"greedy agreement llama.cpp vs PyTorch: {agree}/{n}; llama.cpp held-out accuracy "
            f"{correct}/{n} = {correct / n:.3f}; {n / dt:.1f} requests/s (short answers, sequential)"
        )
        for p, want, got in misses:
            print(f"     differs: {p!r}: torch {want!r}, llama.cpp {got!r}")
        check(agree >= 0.98 * n, "llama.cpp reproduces PyTorch's greedy answers (>= 98%)")
        check(0.45 <= correct / n <= 0.72, "llama.cpp greedy accuracy is between half and two thirds")

        # 2. completions and chat shapes, usage, chat template
        r = complete(base, "Q: 47+38=? A:")
        c = r["choices"][0]
        print(f"completions 'Q: 47+38=? A:' -> {c['text']!r} finish_reason={c['finish_reason']} usage={r['usage']}")
        check(r["usage"]["prompt_tokens"] == 14, "prompt tokens = <s> + 13 characters (no space prefix)")
        rc = chat(base, "Q: 47+38=? A:")
        cc = rc["choices"][0]
        print(f"chat 'Q: 47+38=? A:' -> {cc['message']['content']!r} finish_reason={cc['finish_reason']} usage={rc['usage']}")
        check(cc["message"]["content"] == c["text"], "chat (GGUF chat template) answers like completions")
        check(rc["usage"]["prompt_tokens"] == r["usage"]["prompt_tokens"], "chat prompt tokens = completions prompt tokens")
        same = sum(
            chat(base, it["prompt"])["choices"][0]["message"]["content"] == it["torch_greedy"]
            for it in items[:50]
        )
        check(same >= 49, f"chat greedy matches PyTorch on the first 50 held-out prompts ({same}/50)")
        r = complete(base, "Q: 47+38=? A:", stop=["\n"])
        check(r["choices"][0]["text"] == c["text"].split("\n")[0], f"stop ['\\n'] works -> {r['choices'][0]['text']!r}")

        # 3. seeds
        p = items[0]["prompt"]
        s1 = [complete(base, p, temperature=1.0, seed=7)["choices"][0]["text"] for _ in range(3)]
        check(len(set(s1)) == 1, f"same seed + temperature 1.0 reproduces the text: {s1}")
        hard = next((it for it in items if it["torch_greedy"] != it["answer"]), items[0])
        texts = [
            complete(base, hard["prompt"], temperature=1.0, seed=s)["choices"][0]["text"] for s in range(20)
        ]
        check(len(set(texts)) > 1, f"20 seeds at temperature 1.0 give {len(set(texts))} distinct texts for {hard['prompt']!r}")
        g = {complete(base, hard["prompt"], temperature=0.0, seed=s)["choices"][0]["text"] for s in range(5)}
        check(len(g) == 1, f"temperature 0 gives the same text whatever the seed: {g}")

        # 4. n is ignored
        r = complete(base, hard["prompt"], temperature=1.0, seed=3, n=4)
        check(len(r["choices"]) == 1, f"n=4 accepted and ignored: {len(r['choices'])} choice(s) (completions)")
        r = chat(base, hard["prompt"], temperature=1.0, seed=3, n=4)
        check(len(r["choices"]) == 1, f"n=4 accepted and ignored: {len(r['choices'])} choice(s) (chat)")

        # 5. request rate at 32 generated tokens: </s> is banned so that every request runs
        # 32 tokens, and so are the byte tokens but <0x0A> (invalid UTF-8 would make the
        # server overrun max_tokens).
        ban = {str(t): -100.0 for t in [2] + [3 + b for b in range(256) if b != 0x0A]}
        k = args.rate_requests
        t0 = time.time()
        toks = 0
        for i in range(k):
            r = complete(
                base, items[i % n]["prompt"], max_tokens=32, temperature=1.0, seed=i,
                logit_bias=ban,
            )
            toks += r["usage"]["completion_tokens"]
        dt = time.time() - t0
        print(f"rate: {k / dt:.1f} requests/s at 32 tokens ({toks / k:.1f} tokens/request, {toks / dt:.0f} tokens/s), sequential")
        t0 = time.time()
        for i in range(k):
            chat(base, items[i % n]["prompt"])
        dt = time.time() - t0
        print(f"rate: {k / dt:.1f} chat requests/s (greedy, short answers), sequential")

        # 6. optional: what sampling does to the score (plain sampling, seed per prompt and sample)
        if args.sampling_prompts:
            sub = items[: args.sampling_prompts]
            for temp in (0.7, 1.0):
                one = vote = best = 0
                for i, it in enumerate(sub):
                    outs = [
                        complete(base, it["prompt"], temperature=temp, seed=1000 * i + j)["choices"][0]["text"]
                        for j in range(8)
                    ]
                    one += sum(o == it["answer"] for o in outs) / 8
                    top = max(sorted(set(outs)), key=outs.count)  # ties: smallest text
                    vote += top == it["answer"]
                    best += it["answer"] in outs
                m = len(sub)
                print(
                    f"T={temp}: {m} held-out prompts, one sample {one / m:.3f}, majority@8 {vote / m:.3f}, "
                    f"pass@8 (oracle best-of-8) {best / m:.3f}"
                )
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        server_log.close()
        print(f"server stopped (log: {server_log.name})")

    print(f"{len(failures)} failed" if failures else "all checks passed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
