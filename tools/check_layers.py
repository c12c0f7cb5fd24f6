#!/usr/bin/env python3
"""Checks the one-way layering that the targets promise (docs/architecture.md), from
`swift package dump-package` and the sources: `make test` runs it before the tests.

- TTSReport reaches (transitively) no runtime, suite-parsing or use-case target; nor does TTSView;
- TTSSuite reaches no store: suite parsing sees a replayed database only through the lookup
  that the use cases hand in;
- TTSStore is the only target that imports GRDB or holds SQL;
- AdaStop, MathAnswers and TTSCore depend on nothing of the project; CodeSandbox on the suite's
  limits only;
- inside TTSRuntime, strategies and verifiers never import TTSStore: only the scheduler and the
  model clients that record or replay requests do.
Exits 1 naming every violation."""
import json, os, re, subprocess, sys

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
package = json.loads(subprocess.run(["swift", "package", "dump-package"], cwd=root, check=True,
                                    capture_output=True, text=True).stdout)
deps = {}
for t in package["targets"]:
    names = []
    for d in t.get("dependencies", []):
        for kind in ("byName", "target"):
            if kind in d:
                names.append(d[kind][0])
        if "product" in d:
            names.append("product:" + d["product"][0])
    deps[t["name"]] = names

def reach(target):
    seen, todo = set(), [target]
    while todo:
        for d in deps.get(todo.pop(), []):
            if d not in seen:
                seen.add(d)
                todo.append(d)
    return seen

problems = []
for target, forbidden in {
    "TTSReport": {"TTSRuntime", "TTSSuite", "TTSBench", "product:Yams", "product:AsyncHTTPClient", "product:NIOPosix", "product:NIOHTTP1"},
    "TTSStore": {"TTSRuntime", "TTSSuite", "TTSReport", "TTSBench"},
    "TTSSuite": {"TTSRuntime", "TTSReport", "TTSBench", "TTSStore", "product:GRDB", "CodeSandbox", "MathAnswers"},
    "CodeSandbox": {"TTSRuntime", "TTSReport", "TTSBench", "TTSStore", "product:GRDB", "MathAnswers"},
    "TTSRuntime": {"TTSReport", "TTSBench"},
    # The viewer reads the store and the leaderboard model; it never sees the runtime, suite
    # parsing or the use cases (which hand it each system's sample pool).
    "TTSView": {"TTSRuntime", "TTSSuite", "TTSBench", "CodeSandbox", "MathAnswers", "product:Yams", "product:AsyncHTTPClient"},
    "TTSCore": set(deps) | {"product:GRDB"},
    "AdaStop": set(deps) | {"product:GRDB"},
    "MathAnswers": set(deps) | {"product:GRDB"},
    "TTSDesign": set(deps) - {"TTSCore", "AdaStop"} | {"product:GRDB"},
}.items():
    if target not in deps:
        problems.append(f"Package.swift has no target {target}")
        continue
    bad = sorted(reach(target) & forbidden)
    if bad:
        problems.append(f"{target} reaches {', '.join(bad)}")

# Inside TTSRuntime (one target), the folders keep to their side of the store: strategies see a
# `SampleSource`, verifiers see candidates; the scheduler records, and of the model clients only
# the request cache and the replay of a database touch the store.
store_ok = {"Sources/TTSRuntime/Models/ModelClient.swift", "Sources/TTSRuntime/Models/RequestCache.swift",
            "Sources/TTSRuntime/Models/ReplayModel.swift"}
runtime = os.path.join(root, "Sources", "TTSRuntime")
for dirpath, _, files in os.walk(runtime):
    for f in files:
        rel = os.path.relpath(os.path.join(dirpath, f), root)
        if not f.endswith(".swift") or rel.startswith("Sources/TTSRuntime/Scheduler/") or rel in store_ok:
            continue
        if re.search(r'^\s*(@testable\s+)?import\s+TTSStore\b', open(os.path.join(dirpath, f), encoding="utf-8").read(), re.M):
            problems.append(f"{rel} imports TTSStore (only the scheduler and the recording model clients may)")

sql = re.compile(r'\b(SELECT\s+[\w*(]|INSERT\s+(OR\s+\w+\s+)?INTO\b|CREATE\s+(TABLE|INDEX)\b|DELETE\s+FROM\b|UPDATE\s+\w+\s+SET\b|PRAGMA\s+\w)')
for dirpath, _, files in os.walk(os.path.join(root, "Sources")):
    for f in files:
        if not f.endswith(".swift"):
            continue
        path = os.path.join(dirpath, f)
        rel = os.path.relpath(path, root)
        if rel.startswith("Sources/TTSStore/"):
            continue
        text = open(path, encoding="utf-8").read()
        if re.search(r'^\s*import\s+GRDB\b', text, re.M):
            problems.append(f"{rel} imports GRDB (only TTSStore may)")
        for n, line in enumerate(text.splitlines(), 1):
            if sql.search(line) and not line.lstrip().startswith("//"):
                problems.append(f"{rel}:{n}: SQL outside TTSStore: {line.strip()[:80]}")

if problems:
    print("layering check failed:\n- " + "\n- ".join(problems))
    sys.exit(1)
print(f"layering check: {len(deps)} targets, one-way; SQL and GRDB only in TTSStore; the store only behind the scheduler")
