#!/usr/bin/env python3
"""Drives the real `ttsbench run` binary against latency endpoints (bench/fleet/run.sh starts
nginx with the echo module; /l50/v1 answers after 50 ms, /l250/v1 after 250 ms) and prints the
fleet table: for each latency L and max_concurrency C, samples/s against Little's law's C/L, and
CPU seconds (user + system, from wait4's rusage of the process) per 10,000 requests.

Each run: a generated suite of ITEMS arithmetic items x majority@8 (one request per sample:
supports_n false), one seed (`--seeds 1`), default options (no --workers), a fresh database.
The wall time is the process's, start-up and the final leaderboard included. FLEET_WRAP (environment):
a command prefix for the binary, e.g. "perf record -g -o /tmp/fleet.perf --".
"""
import argparse, os, sqlite3, subprocess, time

SUITE = """suite: fleet
seed: 20261130
task:
  generate: {{kind: arithmetic, items: {items}, digits: 3}}
  prompt: "Solve the problem. Put the final answer in \\\\boxed{{}}.\\n\\n{{question}}"
  extract: boxed
models:
  fleet: {{kind: openai, base_url: "{url}", model: canned, api: chat, max_concurrency: {concurrency},
          timeout: 60, supports_n: false}}
verifiers:
  math: {{kind: math}}
strategies:
  maj8: {{kind: majority, n: 8, temperature: 0.8}}
systems:
  matrix: {{model: [fleet], strategy: [maj8], verifier: [math]}}
"""


def run(binary, base, work, items, latency, concurrency):
    ms = round(latency * 1000)
    tag = f"l{ms}-c{concurrency}"
    directory = os.path.join(work, tag)
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, "fleet.yaml"), "w") as f:
        f.write(SUITE.format(items=items, url=f"{base}/l{ms}/v1", concurrency=concurrency))
    db = os.path.join(directory, "fleet.sqlite")
    start = time.monotonic()
    with open(os.path.join(directory, "stderr.txt"), "w") as err:
        proc = subprocess.Popen(os.environ.get("FLEET_WRAP", "").split() + [os.path.abspath(binary), "run", "fleet.yaml", "--db", db, "--out", "out", "--seeds", "1", "--quiet"],
                                cwd=directory, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{tag}: ttsbench run exited {os.waitstatus_to_exitcode(status)}: "
                         + open(os.path.join(directory, "stderr.txt")).read()[-2000:])
    con = sqlite3.connect(db)
    samples, failed, attempts = con.execute(
        "SELECT COUNT(*), COUNT(error), COALESCE(SUM(attempts), 0) FROM samples").fetchone()
    con.close()
    cpu = usage.ru_utime + usage.ru_stime
    return dict(latency=latency, concurrency=concurrency, samples=samples, failed=failed, requests=attempts, wall=wall,
                cpu=cpu, rss=usage.ru_maxrss)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--base", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--items", type=int, default=2500)
    ap.add_argument("--latencies", type=float, nargs="+", default=[0.05, 0.25])
    ap.add_argument("--concurrencies", type=int, nargs="+", default=[256, 512, 2048])
    args = ap.parse_args()
    rows = []
    print(f"{args.items} items x majority@8 (one request a sample), one seed, default options: "
          f"{args.items * 8} samples a run")
    print()
    print("| latency | max_concurrency | C/L (samples/s) | samples | s | samples/s | / C/L | CPU s per 10,000 requests | peak RSS MiB |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for latency in args.latencies:
        for concurrency in args.concurrencies:
            r = run(args.binary, args.base, args.work, args.items, latency, concurrency)
            ideal = concurrency / latency
            rate = r["samples"] / r["wall"]
            per10k = r["cpu"] / max(1, r["requests"]) * 10000
            rows.append((r, rate, ideal))
            failed = f" ({r['failed']} failed)" if r["failed"] else ""
            print(f"| {round(latency * 1000)} ms | {concurrency} | {ideal:,.0f} | {r['samples']:,}{failed} | {r['wall']:.1f} | "
                  f"{rate:,.0f} | {rate / ideal:.2f} | {per10k:.1f} | {r['rss'] / 1024:.0f} |", flush=True)
    # The client's ceiling on this machine: the highest rate any run of the table reached (the CPU a
    # request costs, on cores shared with nginx and anything else running, bounds it).
    ceiling = max(rate for _, rate, _ in rows)
    best_cpu = min(r["cpu"] / max(1, r["requests"]) for r, _, _ in rows)
    print()
    print(f"client ceiling: the highest rate measured, {ceiling:,.0f} samples/s "
          f"({os.cpu_count()} cores at {best_cpu * 1e6:.0f} us of CPU a request at best would allow "
          f"{(os.cpu_count() or 1) / best_cpu:,.0f}/s; nginx and other processes share them)")
    for r, rate, ideal in rows:
        target = min(ideal, ceiling)
        verdict = "met" if rate >= 0.9 * target else "NOT met"
        print(f"  {round(r['latency'] * 1000)} ms, C={r['concurrency']}: {rate:,.0f} / min(C/L, ceiling) {target:,.0f} = "
              f"{rate / target:.2f} (goal >= 0.9: {verdict}); / C/L = {rate / ideal:.2f}")


if __name__ == "__main__":
    main()
