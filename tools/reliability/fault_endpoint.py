#!/usr/bin/env python3
"""Faulty endpoint at scale: `ttsbench run` against fault_proxy.py (every --every-th request a
fault, cycling through 429/503/500/reset/hang/truncated/invalid/empty/nomessage) in front of
canned_upstream.py (instant deterministic answers; a few request bodies fail for good until the
upstream is healed).

Usage: fault_endpoint.py [--binary .build/release/ttsbench] [--items 250] [--n 10] [--seeds 4]
                         [--every 10] [--poison-permille 3] [--json RESULT.json]

Checks, and exits 1 unless all hold:
  - the first run ends with the poisoned requests unfinished (exit 1, "run again to retry"), none
    of them a sample; healed, a second run completes (exit 0) and sends only the missing requests;
  - no sample is lost: samples = items x n x seeds, no duplicate, no sample with an error;
  - every attempt is recorded: SUM(samples.attempts) + the attempts of the failed requests
    (max_retries + 1 each) = requests the proxy saw;
  - every retry is logged: a sample has attempts-1 lines in retry_log;
  - nothing is left unfinished and the leaderboard counts no failure;
  - PRAGMA integrity_check is ok.
Prints the figures on one line and, with --json, writes them for the `make reliability` table.
"""
import argparse, json, os, re, sqlite3, subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
SERVERS = os.path.join(os.path.dirname(HERE), "fault-server")
FAULTS = "429,503,500,reset,hang,truncated,invalid,empty,nomessage"


def start(args):
    p = subprocess.Popen([sys.executable] + args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    port = int(p.stdout.readline().strip())
    return p, f"http://127.0.0.1:{port}"


def get_json(url):
    import urllib.request
    with urllib.request.urlopen(url, timeout=10) as r:
        return json.loads(r.read())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=".build/release/ttsbench")
    ap.add_argument("--items", type=int, default=250)
    ap.add_argument("--n", type=int, default=10)
    ap.add_argument("--seeds", type=int, default=4)
    ap.add_argument("--every", type=int, default=10)
    ap.add_argument("--poison-permille", type=int, default=3)
    ap.add_argument("--concurrency", type=int, default=32)
    ap.add_argument("--json")
    args = ap.parse_args()

    work = tempfile.mkdtemp(prefix="ttsbench-faults-")
    upstream, up_url = start([os.path.join(SERVERS, "canned_upstream.py"), "--poison-permille", str(args.poison_permille)])
    proxy, px_url = start([os.path.join(SERVERS, "fault_proxy.py"), "--upstream", up_url, "--faults", FAULTS,
                           "--every", str(args.every), "--hang", "2"])
    try:
        suite = os.path.join(work, "faults.yaml")
        with open(suite, "w") as f:
            f.write(f"""suite: faults-at-scale
seed: 7
task:
  generate: {{kind: arithmetic, items: {args.items}, digits: 3}}
  prompt: "Solve the problem. Put the final answer in \\\\boxed{{}}.\\n\\n{{question}}"
  extract: boxed
models:
  canned: {{kind: openai, base_url: "{px_url}/v1", model: canned, api: chat, max_concurrency: {args.concurrency},
           timeout: 1.0, max_retries: 6, retry_base_delay: 0.05, supports_n: false}}
verifiers:
  math: {{kind: math}}
strategies:
  maj: {{kind: majority, n: {args.n}, temperature: 0.8}}
systems:
  matrix: {{model: [canned], strategy: [maj], verifier: [math]}}
""")
        db, out = os.path.join(work, "faults.sqlite"), os.path.join(work, "out")
        t0 = time.monotonic()
        command = [args.binary, "run", suite, "--db", db, "--out", out, "--seeds", str(args.seeds), "--quiet"]
        first = subprocess.run(command, capture_output=True, text=True)
        ustats = get_json(up_url + "/stats")
        import urllib.request
        urllib.request.urlopen(urllib.request.Request(up_url + "/poison", data=b'{"permille": 0}', method="POST"), timeout=10).read()
        requests_first = get_json(px_url + "/stats")["requests"]
        run = subprocess.run(command, capture_output=True, text=True)
        elapsed = time.monotonic() - t0
        pstats = get_json(px_url + "/stats")
    finally:
        for p in (proxy, upstream):
            p.terminate()
            p.wait()
    poisoned = ustats["poisoned_bodies"]
    first_ok = (first.returncode == 1 and "Run the same command again" in first.stderr) if poisoned else first.returncode == 0
    if not first_ok or run.returncode != 0:
        print(f"fault-endpoint: first run exit {first.returncode} ({first.stderr[-400:]}), second run exit {run.returncode}: {run.stderr[-800:]}")
        return 1

    c = sqlite3.connect(db)
    q = lambda s: c.execute(s).fetchone()[0]
    expected = args.items * args.n * args.seeds
    samples = q("SELECT COUNT(*) FROM samples")
    duplicates = q("SELECT COUNT(*) FROM (SELECT 1 FROM samples GROUP BY pool, seed_index, item_id, temperature, sample_index HAVING COUNT(*) > 1)")
    attempts = q("SELECT COALESCE(SUM(attempts), 0) FROM samples")
    missing_attempts = q("SELECT COUNT(*) FROM samples WHERE attempts IS NULL OR attempts < 1")
    failed = q("SELECT COUNT(*) FROM samples WHERE error IS NOT NULL")
    unresolved = q("SELECT COUNT(*) FROM failures WHERE resolved = 0")
    recorded_failures = q("SELECT COUNT(*) FROM failures")
    retried = q("SELECT COUNT(*) FROM samples WHERE attempts > 1")
    integrity = q("PRAGMA integrity_check")
    bad_logs = []
    logged = {}  # failed attempts by kind, from retry logs and the errors of failed samples
    kinds = {"429": "HTTP 429", "503": "HTTP 503", "500": "HTTP 500", "reset": "connection", "hang": "timed out",
             "invalid": "invalid JSON", "empty": "empty 'choices'", "nomessage": "without 'message'",
             "error-object": "an error object"}
    for text, in c.execute("SELECT COALESCE(retry_log, '') FROM samples WHERE attempts > 1"):
        for line in text.split("\n"):
            if line.startswith("attempt "):
                for kind, needle in kinds.items():
                    if needle in line:
                        logged[kind] = logged.get(kind, 0) + 1
    for attempts_, log in c.execute("SELECT attempts, retry_log FROM samples WHERE attempts > 1"):
        lines = len(log.split("\n")) if log else 0
        if lines != attempts_ - 1:
            bad_logs.append(f"{attempts_} attempts, {lines} retry-log lines")
    c.close()
    board = json.load(open(os.path.join(out, "faults-at-scale", "leaderboard.json")))
    rows = board.get("rows") or board.get("systems") or []
    board_failures = sum(r.get("failures", 0) for r in rows)
    faults = sum(pstats["faults"].values())
    # Every injected fault shows up in a log under its own kind (a truncated body is invalid JSON).
    # A client may also see a connection error or a timeout on a request the server never
    # counted (a keep-alive connection the proxy closed after a reset or a hang): such an attempt
    # is recorded too, so attempts may exceed the requests seen, by at most those extras.
    pf = pstats["faults"]
    want = dict(pf)
    want["invalid"] = pf.get("invalid", 0) + pf.get("truncated", 0)
    want.pop("truncated", None)
    want["500"] = pf.get("500", 0)
    # An empty/nomessage fault that lands on a poisoned body leaves the upstream's error object in
    # a 200 response: it is logged as "an error object", so those kinds are checked together.
    want["empty+nomessage"] = want.pop("empty", 0) + want.pop("nomessage", 0)
    logged["empty+nomessage"] = logged.get("empty", 0) + logged.get("nomessage", 0) + logged.get("error-object", 0)
    # Faults that landed on a request that then failed for good are in no sample's log.
    failed_attempts = 7 * poisoned
    unlogged = {k: v - logged.get(k, 0) for k, v in want.items() if logged.get(k, 0) < v}
    unlogged_total = sum(unlogged.values())
    unseen = attempts + failed_attempts - pstats["requests"]
    extra_transport = (logged.get("reset", 0) - pf.get("reset", 0)) + (logged.get("hang", 0) - pf.get("hang", 0))

    facts = {
        "requests": pstats["requests"], "proxy_faults": faults, "fault_kinds": len(pstats["faults"]),
        "poisoned_requests": ustats["poisoned_requests"], "samples": samples, "expected_samples": expected,
        "lost": expected - samples, "duplicates": duplicates, "attempts_recorded": attempts,
        "retries_recorded": attempts - samples, "retried_samples": retried, "permanent_failures": poisoned,
        "unfinished_first_run": recorded_failures, "second_run_requests": pstats["requests"] - requests_first,
        "leaderboard_failures": board_failures, "bad_retry_logs": len(bad_logs),
        "unseen_attempts": unseen, "unlogged_faults": unlogged, "integrity": integrity,
        "seconds": round(elapsed, 1),
    }
    ok = (run.returncode == 0 and first_ok and samples == expected and duplicates == 0 and missing_attempts == 0
          and 0 <= unseen <= extra_transport and unlogged_total <= failed_attempts and not bad_logs
          and board_failures == 0 and failed == 0 and unresolved == 0 and poisoned > 0 and integrity == "ok"
          and len(pstats["faults"]) == len(FAULTS.split(",")))
    facts["survived"] = ok
    if not ok:
        print("failed checks:", {k: v for k, v in {
            "exit": run.returncode, "lost": expected - samples, "duplicates": duplicates, "attempts missing": missing_attempts,
            "unseen attempts": (unseen, extra_transport), "unlogged": unlogged, "bad logs": len(bad_logs),
            "failed samples, leaderboard failures, unresolved": (failed, board_failures, unresolved), "integrity": integrity}.items()})
    print(f"fault endpoint: {pstats['requests']} requests in {elapsed:.1f} s, {faults} injected faults "
          f"({len(pstats['faults'])} kinds: {pstats['faults']}), {ustats['poisoned_requests']} poisoned; "
          f"samples {samples}/{expected} (duplicates {duplicates}), attempts recorded {attempts} "
          f"({unseen} never reached the server), unlogged faults {unlogged or 0}, retried samples {retried}, "
          f"{poisoned} requests failed for good in the first run ({recorded_failures} items unfinished), retried by the second "
          f"({pstats['requests'] - requests_first} requests), bad retry logs {len(bad_logs)}, integrity {integrity}")
    for b in bad_logs[:5]:
        print("  ", b)
    print("fault-endpoint:", "survived" if ok else "FAILED")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(facts, f)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
