#!/usr/bin/env bash
# Runs a command with the tiny model served by llama.cpp on 127.0.0.1:$PORT (default 18181),
# then stops the server:   tools/fault-server/serve_tiny.sh CMD ARGS...
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
port="${PORT:-18181}"
py="$(bash "$here/.ci/install-llama.sh" | tail -1)"
log="$(mktemp -t ttsbench-llama.XXXXXX.log)"
"$py" -m llama_cpp.server --model "$here/tools/tiny-model/tiny-add.gguf" --model_alias tiny-add \
  --host 127.0.0.1 --port "$port" --n_ctx 512 >"$log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do
  if python3 -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:$port/v1/models', timeout=1)" 2>/dev/null; then break; fi
  kill -0 $server 2>/dev/null || { echo "llama.cpp server exited; log: $log" >&2; cat "$log" >&2; exit 1; }
  sleep 0.5
done
echo "llama.cpp serving tiny-add on 127.0.0.1:$port (log: $log)" >&2
"$@"
