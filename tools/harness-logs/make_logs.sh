#!/usr/bin/env bash
# Makes real lm-evaluation-harness and Inspect AI logs for the import tests: both tools (pinned,
# installed by .ci/install-harnesses.sh) run against the tiny llama.cpp model (served by
# tools/fault-server/serve_tiny.sh) on the first 10 items of suites/data/tiny-add-heldout.jsonl,
# 4 samples an item at temperature 0.7.
#
#   tools/harness-logs/make_logs.sh [OUT]     (default .build/harness-logs)
#
# Writes OUT/items.jsonl, OUT/lm-eval/ (samples_tiny_add_DATE.jsonl and results_DATE.json), OUT/inspect-log.json
# (--log-format json), OUT/inspect-log.eval (`inspect log convert` of it), OUT/zstd/ (zstd test
# vectors by python-zstandard, which Inspect writes .eval entries with) and OUT/STAMP. Reused
# when STAMP matches this script, the task files and the pinned requirements. About 3 min.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="${1:-$here/.build/harness-logs}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
want="$(cat "$here/tools/harness-logs/"{make_logs.sh,inspect_task.py,zstd_vectors.py,requirements-lmeval.txt,requirements-inspect.txt} | sha256sum | cut -d' ' -f1)"
if [ -f "$out/STAMP" ] && [ "$(cat "$out/STAMP")" = "$want" ]; then
  echo "make_logs: reusing $out" >&2
  exit 0
fi
rm -f "$out/STAMP"
bins=($(bash "$here/.ci/install-harnesses.sh"))
lm_bin="${bins[0]}"
inspect_bin="${bins[1]}"

work="$(mktemp -d -t ttsbench-harness-logs.XXXXXX)"
trap 'rm -rf "$work"' EXIT
head -n 10 "$here/suites/data/tiny-add-heldout.jsonl" >"$out/items.jsonl"
mkdir -p "$work/tasks"
cat >"$work/tasks/tiny_add.yaml" <<YAML
task: tiny_add
dataset_path: json
dataset_kwargs:
  data_files:
    test: $out/items.jsonl
test_split: test
output_type: generate_until
doc_to_text: "Q: {{question}}=? A:"
doc_to_target: "{{answer}}"
generation_kwargs:
  until: ["\n"]
  do_sample: true
  temperature: 0.7
  max_gen_toks: 8
repeats: 4
filter_list:
  - name: maj
    filter:
      - {function: regex, regex_pattern: "(-?[0-9]+)"}
      - {function: majority_vote}
      - {function: take_first}
metric_list:
  - {metric: exact_match, aggregation: mean, higher_is_better: true}
YAML

export PORT="${PORT:-18187}"
export HF_DATASETS_OFFLINE=1 HF_HUB_OFFLINE=1 HF_HOME="$work/hf" INSPECT_LOG_DIR="$work/inspect"
export ITEMS="$out/items.jsonl" OPENAI_BASE_URL="http://127.0.0.1:$PORT/v1" OPENAI_API_KEY=none
cd "$here/tools/harness-logs"   # inspect takes the task file relative to the working directory
bash "$here/tools/fault-server/serve_tiny.sh" bash -c "
  set -euo pipefail
  '$lm_bin/lm_eval' --model local-completions \
    --model_args model=tiny-add,base_url=http://127.0.0.1:$PORT/v1/completions,tokenizer_backend=None,tokenized_requests=False,num_concurrent=1,max_retries=3 \
    --tasks tiny_add --include_path '$work/tasks' --output_path '$work/lm-eval' --log_samples >'$work/lm-eval.log' 2>&1 \
    || { cat '$work/lm-eval.log' >&2; exit 1; }
  '$inspect_bin/inspect' eval inspect_task.py --model openai/tiny-add -M responses_api=false --epochs 4 \
    --temperature 0.7 --max-tokens 8 --log-format json --log-dir '$work/inspect' --display plain >'$work/inspect.log' 2>&1 \
    || { cat '$work/inspect.log' >&2; exit 1; }
"
rm -rf "$out/lm-eval"
cp -r "$(dirname "$(ls "$work"/lm-eval/*/samples_tiny_add_*.jsonl | head -1)")" "$out/lm-eval"  # samples_ and results_ files
cp "$(ls "$work"/inspect/*.json | head -1)" "$out/inspect-log.json"
"$inspect_bin/inspect" log convert "$out/inspect-log.json" --to eval --output-dir "$work/converted" >&2
cp "$(ls "$work"/converted/*.eval | head -1)" "$out/inspect-log.eval"
rm -rf "$out/zstd"
"$inspect_bin/python" "$here/tools/harness-logs/zstd_vectors.py" "$out/zstd" "$out/inspect-log.json"
echo "$want" >"$out/STAMP"
echo "make_logs: wrote $out (lm-eval/, inspect-log.json, inspect-log.eval)" >&2
