#!/usr/bin/env bash
# Builds a fuzz target with libFuzzer + AddressSanitizer and runs it for a bounded time:
# SuiteLoaderFuzz (default), seeded with the project's suites, or ImporterFuzz, seeded with the
# real lm-eval and Inspect logs of tools/harness-logs/make_logs.sh (.build/harness-logs).
# Usage: tools/fuzz/run.sh [SECONDS=60] [RESULT.json] [TARGET=SuiteLoaderFuzz]
# Exit 0 when no input crashed, trapped, overflowed the stack, leaked past ASan or timed out.
set -euo pipefail
seconds=${1:-60}
json=${2:-}
target=${3:-SuiteLoaderFuzz}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$here"
# `-sanitize=fuzzer` links libFuzzer's own main, which clashes with the main SwiftPM gives every
# executable; so: AddressSanitizer + the coverage libFuzzer reads (what -sanitize=fuzzer turns on),
# linked with libFuzzer without its main, and the target calls LLVMFuzzerRunDriver itself.
swiftc=$(command -v swiftc)
nomain=$(ls "$(dirname "$swiftc")"/../lib/clang/*/lib/linux/libclang_rt.fuzzer_no_main-"$(uname -m)".a 2>/dev/null | head -1)
[ -n "$nomain" ] || { echo "fuzz: libclang_rt.fuzzer_no_main is not in this toolchain"; exit 1; }
swift build -c debug --product "$target" \
  -Xswiftc -sanitize=address -Xswiftc -sanitize-coverage=edge,inline-8bit-counters,pc-table,trace-cmp \
  -Xlinker "$nomain" -Xlinker -lstdc++ 2>&1 \
  | grep -Ev "warning: Cannot export local symbol|^\[[0-9]+/[0-9]+\]" || true
bin="$here/.build/debug/$target"
[ -x "$bin" ] || { echo "fuzz: the fuzz target did not build"; exit 1; }

work="$here/.build/fuzz-run-$target"
corpus="$work/corpus"
artifacts="$work/artifacts"
mkdir -p "$corpus" "$artifacts"
rm -f "$artifacts"/*
if [ "$target" = ImporterFuzz ]; then
  logs="${TTSBENCH_HARNESS_LOGS:-$root/.build/harness-logs}"
  [ -f "$logs/STAMP" ] || { echo "fuzz: no logs in $logs: run tools/harness-logs/make_logs.sh first"; exit 1; }
  cp "$logs"/inspect-log.eval "$logs"/lm-eval/samples_*.jsonl "$corpus"/
  # The 550 KB JSON log with its first 2 samples (and whole, for the large case): small inputs run faster.
  python3 -c 'import json, sys; log = json.load(open(sys.argv[1])); log["samples"] = log["samples"][:2]; json.dump(log, open(sys.argv[2], "w"))' \
    "$logs"/inspect-log.json "$corpus"/inspect-log-2.json
  cp "$logs"/inspect-log.json "$corpus"/
  what="importers"; max_len=1048576; seeds=$(ls "$corpus" | wc -l)
else
  cp "$root"/suites/*.yaml "$corpus"/ 2>/dev/null || true
  cp "$root"/suites/examples/*.yaml "$corpus"/ 2>/dev/null || true
  what="suite loader"; max_len=65536
  seeds=$(ls "$root"/suites/*.yaml "$root"/suites/examples/*.yaml 2>/dev/null | wc -l)
fi
log="$work/fuzz.log"
set +e
ASAN_OPTIONS=detect_leaks=0 "$bin" "$corpus" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 \
  -max_len="$max_len" -print_final_stats=1 -artifact_prefix="$artifacts/" >"$log" 2>&1
status=$?
set -e
execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
execs=${execs:-0}
crashes=$(find "$artifacts" -type f | wc -l)
echo "fuzz: ${what}, ${seconds} s, ${execs} executions from ${seeds} seeds, ${crashes} crashing inputs (libFuzzer exit ${status})"
if [ "$crashes" -gt 0 ] || [ "$status" -ne 0 ]; then
  tail -40 "$log"
  ls "$artifacts"
fi
if [ -n "$json" ]; then
  printf '{"seconds": %s, "executions": %s, "crashes": %s, "seeds": %s, "status": %s}\n' \
    "$seconds" "$execs" "$crashes" "$seeds" "$status" > "$json"
fi
[ "$crashes" -eq 0 ] && [ "$status" -eq 0 ]
