#!/usr/bin/env python3
"""Runs the reliability tests of `make test`, suite by suite, and writes how many test cases each
passed (a parameterized test counts each argument). Usage: ci_subset.py RESULT.json"""
import json, re, subprocess, sys

GROUPS = [
    ("hostile suites", "HostileSuitesTests|SuiteErrorTests"),
    ("hostile candidates", "HostileCandidateTests"),
    ("code sandbox", "CodeVerifierTests"),
    ("faulty endpoint (1k requests) and secrets", "FaultEndpointTests"),
    ("read-only output", "UnwritableOutputTests"),
    ("binary: SIGINT, concurrent writers, resume", "BinaryTests"),
]


def main():
    build = subprocess.run(["swift", "build", "--build-tests"], capture_output=True, text=True)
    if build.returncode != 0:
        print(build.stdout[-3000:], build.stderr[-3000:])
        return 1
    results, ok = {}, True
    for label, pattern in GROUPS:
        p = subprocess.run(["swift", "test", "--skip-build", "--filter", pattern], capture_output=True, text=True)
        text = p.stdout + p.stderr
        cases = 0
        for m in re.finditer(r"^(✔|✘) Test (?!run with)(.*?) (passed|failed)", text, re.M):
            n = re.search(r"with (\d+) test cases?", m.group(2))
            cases += int(n.group(1)) if n else 1
        failed_cases = len(re.findall(r"^✘ Test case passing", text, re.M))
        failed_tests = [m for m in re.findall(r"^✘ Test (\w+)", text, re.M) if m != "case"]
        failed = max(failed_cases, len(set(failed_tests)))
        if p.returncode != 0 and failed == 0:
            failed = 1
        results[label] = {"cases": cases, "passed": cases - failed if cases else 0, "failed": failed}
        ok = ok and p.returncode == 0
        print(f"tests: {label}: {cases} cases, {failed} failed" + ("" if p.returncode == 0 else f" (exit {p.returncode})"))
        if p.returncode != 0:
            print("\n".join(l for l in text.splitlines() if "✘" in l or "error" in l.lower())[-3000:])
    json.dump(results, open(sys.argv[1], "w"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
