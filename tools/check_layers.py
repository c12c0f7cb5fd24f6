#!/usr/bin/env python3
"""Checks the one-way layering that the targets promise (docs/architecture.md), from
`swift package dump-package` and the sources: `make test` runs it before the tests.

- TTSReport reaches (transitively) no runtime, suite-parsing or use-case target;
- TTSSuite reaches no store: suite parsing sees a replayed database only through the lookup
  that the use cases hand in;
- TTSStore is the only target that imports GRDB or holds SQL;
- AdaStop, MathAnswers and TTSCore depend on nothing of the project; CodeSandbox on the suite's
  limits only;
- the runtime is split into targets with one job each, meeting at TTSSeams: TTSStrategies and
  TTSVerifiers reach neither the store nor the model clients (TTSModels), TTSModels reaches
  neither the store nor the verifiers nor the strategies, TTSSeams reaches none of them; only
  TTSRuntime (the scheduler and the wiring) sees them all, and the store;
- no source file imports a project target its target does not depend on (a file can only import
  what the package lists, but an `@_exported` or transitive path could hide one);
- the target graph has no cycle.
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
    "TTSSeams": {"TTSStore", "TTSModels", "TTSVerifiers", "TTSStrategies", "TTSRuntime", "TTSReport", "TTSBench",
                 "product:GRDB", "product:AsyncHTTPClient", "product:NIOCore", "product:NIOPosix", "product:NIOHTTP1"},
    "TTSModels": {"TTSStore", "TTSVerifiers", "TTSStrategies", "TTSRuntime", "TTSReport", "TTSBench", "product:GRDB"},
    "TTSVerifiers": {"TTSStore", "TTSModels", "TTSStrategies", "TTSRuntime", "TTSReport", "TTSBench", "product:GRDB",
                     "product:AsyncHTTPClient", "product:NIOCore", "product:NIOPosix", "product:NIOHTTP1"},
    "TTSStrategies": {"TTSStore", "TTSModels", "TTSVerifiers", "TTSRuntime", "TTSReport", "TTSBench", "product:GRDB",
                      "product:AsyncHTTPClient", "product:NIOCore", "product:NIOPosix", "product:NIOHTTP1",
                      "CodeSandbox"},
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

# The target graph has no cycle (SwiftPM refuses one too; this names it).
def cycle():
    state = {}
    def visit(t, path):
        state[t] = 1
        for d in deps.get(t, []):
            if state.get(d) == 1:
                return path + [t, d]
            if d in deps and d not in state:
                found = visit(d, path + [t])
                if found:
                    return found
        state[t] = 2
        return None
    for t in deps:
        if t not in state:
            found = visit(t, [])
            if found:
                return found
    return None
if (c := cycle()):
    problems.append("the target graph has a cycle: " + " -> ".join(c))

# Every `import` of a project target in a source file is a dependency of the file's target, so
# a file cannot reach across a layer through another target's re-export.
paths = {t["name"]: t.get("path") or os.path.join("Tests" if t["type"] == "test" else "Sources", t["name"]) for t in package["targets"]}
for target, path in paths.items():
    full = os.path.join(root, path)
    for dirpath, _, files in os.walk(full):
        for f in files:
            if not f.endswith(".swift"):
                continue
            rel = os.path.relpath(os.path.join(dirpath, f), root)
            text = open(os.path.join(dirpath, f), encoding="utf-8").read()
            for m in re.finditer(r'^\s*(?:@testable\s+|@preconcurrency\s+)?import\s+(\w+)', text, re.M):
                name = m.group(1)
                if name in deps and name != target and name not in deps[target]:
                    problems.append(f"{rel} imports {name}, which {target} does not depend on")

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
print(f"layering check: {len(deps)} targets, one-way, no cycle; SQL and GRDB only in TTSStore; "
      "strategies and verifiers see neither the store nor the model clients; models never the store")
