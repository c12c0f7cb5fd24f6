#!/usr/bin/env python3
"""Prints the `make reliability` table from the JSON files the checks wrote into DIR.

Usage: summary.py DIR   (crash.json, faults.json, fuzz.json, fuzz-import.json, tests.json; a missing file is a row
that says so). Exits 1 if any check did not survive.
"""
import json, os, sys


def load(d, name):
    try:
        with open(os.path.join(d, name)) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def main():
    d = sys.argv[1]
    rows, ok = [], True
    c = load(d, "crash.json")
    if c:
        rows.append(("crash and resume (SIGKILL)", f"{c['kills']} kills, {c['starts']} starts",
                     f"samples {c['samples']}/{c['reference_samples']}, duplicates {c['duplicates']}, decisions identical {c['decisions_identical']}, "
                     f"leaderboard bytes identical {c['bytes_identical']}, integrity {c['integrity']}", c["survived"]))
    f = load(d, "faults.json")
    if f:
        rows.append(("faulty endpoint", f"{f['requests']} requests, {f['proxy_faults']} faults ({f['fault_kinds']} kinds) + {f['poisoned_requests']} refused",
                     f"samples {f['samples']}/{f['expected_samples']} (lost {f['lost']}, duplicates {f['duplicates']}), "
                     f"attempts recorded {f['attempts_recorded']}, retries recorded {f['retries_recorded']}, "
                     f"{f['permanent_failures']} requests failed for good, then retried by a second run ({f.get('second_run_requests', '?')} requests; "
                     f"leaderboard failures {f['leaderboard_failures']}), {f['seconds']} s", f["survived"]))
    z = load(d, "fuzz.json")
    if z:
        rows.append(("suite loader fuzzing (libFuzzer + ASan)", f"{z['executions']} executions in {z['seconds']} s from {z['seeds']} seeds",
                     f"{z['crashes']} crashing inputs", z["crashes"] == 0 and z["status"] == 0))
    zi = load(d, "fuzz-import.json")
    if zi:
        rows.append(("importer fuzzing (libFuzzer + ASan)", f"{zi['executions']} executions in {zi['seconds']} s from {zi['seeds']} real logs",
                     f"{zi['crashes']} crashing inputs", zi["crashes"] == 0 and zi["status"] == 0))
    t = load(d, "tests.json")
    if t:
        for name, r in sorted(t.items()):
            rows.append((f"tests: {name}", f"{r['cases']} cases", f"{r['passed']} passed, {r['failed']} failed", r["failed"] == 0 and r["passed"] > 0))
    for name, what in (("crash.json", "crash and resume"), ("faults.json", "faulty endpoint"), ("fuzz.json", "fuzzing"), ("fuzz-import.json", "importer fuzzing"), ("tests.json", "tests")):
        if load(d, name) is None:
            rows.append((what, "not run", "no result (see the output above)", False))
    w = [max(len(r[i]) for r in rows + [("check", "tried", "outcome")]) for i in range(3)]
    line = lambda a, b, c_, e: f"| {a:<{w[0]}} | {b:<{w[1]}} | {c_:<{w[2]}} | {e:<8} |"
    print()
    print(line("check", "tried", "outcome", "result"))
    print(f"|{'-' * (w[0] + 2)}|{'-' * (w[1] + 2)}|{'-' * (w[2] + 2)}|{'-' * 10}|")
    for a, b, c_, s in rows:
        ok = ok and s
        print(line(a, b, c_, "survived" if s else "FAILED"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
