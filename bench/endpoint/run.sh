#!/usr/bin/env bash
# Request rate against a local endpoint that answers instantly with a canned chat completion:
# nginx from Debian with a `return 200` location, started here on a free port with
# its own temporary prefix and config. At the same number of requests in flight, it measures
#   1. wrk (the practical limit of this machine),
#   2. ttsbench's client path (the real OpenAIClient + request cache + CallPool + Store;
#      .build/release/endpoint-bench), then the same with less of the path (OpenAIClient alone,
#      ttsbench's HTTP/1.1 client alone, AsyncHTTPClient alone) to show where the time goes,
#   3. a Python asyncio + aiohttp client of the kind other harnesses use,
# and prints requests/s, the ratios (targets: the full path >= 0.5x AsyncHTTPClient alone
# and >= 2x aiohttp, in the same run; wrk is shown as the machine's limit, not a target) and
# ttsbench's RSS at start, after the warm-up and after all requests (it should stay flat).
#
# Installs what is missing: nginx and wrk (apt), aiohttp in .venv-bench (pip).
# Environment: CONCURRENCY (256), REQUESTS (100000, ttsbench), AIOHTTP_REQUESTS (30000),
# WRK_SECONDS (10), NGINX_WORKERS (1), SWIFT (swift), ENDPOINT_BENCH (an endpoint-bench binary to
# measure instead of building .build/release/endpoint-bench, e.g. an older one for a before/after).
set -euo pipefail
cd "$(dirname "$0")/../.."
here=bench/endpoint
CONCURRENCY=${CONCURRENCY:-256}
REQUESTS=${REQUESTS:-100000}
AIOHTTP_REQUESTS=${AIOHTTP_REQUESTS:-30000}
WRK_SECONDS=${WRK_SECONDS:-10}
NGINX_WORKERS=${NGINX_WORKERS:-1}
SWIFT=${SWIFT:-swift}

# --- what is missing -------------------------------------------------------------------------
need=()
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx)
command -v wrk >/dev/null 2>&1 || need+=(wrk)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing ${need[*]} (apt)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
if [ ! -x .venv-bench/bin/python ] || ! .venv-bench/bin/python -c 'import aiohttp' 2>/dev/null; then
  echo "installing aiohttp into .venv-bench (pip)"
  python3 -m venv .venv-bench
  .venv-bench/bin/pip install -q aiohttp
fi
if [ -z "${ENDPOINT_BENCH:-}" ]; then
  ENDPOINT_BENCH=.build/release/endpoint-bench
  if ! build_log=$($SWIFT build -c release --product endpoint-bench 2>&1); then
    echo "$build_log" | grep -E "error" -A3 | head -40
    exit 1
  fi
fi

# --- nginx on a free port, with its own prefix ------------------------------------------------
prefix=$(mktemp -d /tmp/ttsbench-endpoint-bench.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
nginx_pid=""
cleanup() {
  if [ -n "$nginx_pid" ]; then kill "$nginx_pid" 2>/dev/null || true; wait "$nginx_pid" 2>/dev/null || true; fi
  rm -rf "$prefix"
}
trap cleanup EXIT
mkdir -p "$prefix/logs" "$prefix/tmp"
# The canned body inside an nginx single-quoted string: backslashes and quotes escaped.
body=$(tr -d '\n' < "$here/canned.json" | sed -e 's/\\/\\\\/g' -e "s/'/\\\\'/g")
cat > "$prefix/nginx.conf" <<EOF
worker_processes $NGINX_WORKERS;
pid $prefix/nginx.pid;
error_log $prefix/logs/error.log warn;
events { worker_connections 8192; }
http {
  access_log off;
  client_body_temp_path $prefix/tmp/body;
  proxy_temp_path $prefix/tmp/proxy;
  fastcgi_temp_path $prefix/tmp/fastcgi;
  uwsgi_temp_path $prefix/tmp/uwsgi;
  scgi_temp_path $prefix/tmp/scgi;
  keepalive_requests 10000000;
  keepalive_timeout 300s;
  client_body_buffer_size 16k;
  server {
    listen 127.0.0.1:$port;
    location / {
      default_type application/json;
      return 200 '$body';
    }
  }
}
EOF
"$NGINX" -p "$prefix" -c "$prefix/nginx.conf" -e "$prefix/logs/error.log" -g 'daemon off;' &
nginx_pid=$!
url="http://127.0.0.1:$port/v1/chat/completions"
for _ in $(seq 100); do
  curl -fsS -o /dev/null -X POST -d '{}' "$url" 2>/dev/null && break
  sleep 0.1
done
reply=$(curl -fsS -X POST -H 'Content-Type: application/json' -d '{}' "$url")
python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert d["choices"][0]["message"]["content"]' "$reply" \
  || { echo "nginx does not serve the canned completion: $reply"; exit 1; }
echo "nginx $("$NGINX" -v 2>&1 | sed 's/.*\///') on 127.0.0.1:$port ($NGINX_WORKERS worker), $(nproc) cores, $CONCURRENCY in flight"
echo

# --- 1. wrk ----------------------------------------------------------------------------------
wrk_out=$(wrk -t2 -c"$CONCURRENCY" -d"${WRK_SECONDS}s" -s "$here/post.lua" "$url")
wrk_rps=$(echo "$wrk_out" | awk '/Requests\/sec/ {printf "%.0f", $2}')
echo "wrk: ${WRK_SECONDS} s at $CONCURRENCY connections: $wrk_rps requests/s"

# --- 2. ttsbench's client path ---------------------------------------------------------------
tts_out=$("$ENDPOINT_BENCH" --url "http://127.0.0.1:$port/v1" --requests "$REQUESTS" --concurrency "$CONCURRENCY" \
  --db "$prefix/bench.sqlite")
echo "$tts_out" | grep -v '^RESULT'
tts_line=$(echo "$tts_out" | grep '^RESULT')
field() { echo "$tts_line" | tr ' ' '\n' | awk -F= -v k="$1" '$1 == k {print $2}'; }
tts_rps=$(field rps)

# Where the time goes: the same binary with less of the path (30,000 requests each).
http_rps=""
for mode in cache pool client transport http; do
  out=$("$ENDPOINT_BENCH" --url "http://127.0.0.1:$port/v1" --requests 30000 --warmup 5000 --concurrency "$CONCURRENCY" \
    --mode "$mode" --db "$prefix/bench-$mode.sqlite")
  echo "$out" | head -1 | sed 's/^/  breakdown: /'
  if [ "$mode" = http ]; then http_rps=$(echo "$out" | grep '^RESULT' | tr ' ' '\n' | awk -F= '$1 == "rps" {print $2}'); fi
done

# --- 3. aiohttp ------------------------------------------------------------------------------
aio_out=$(.venv-bench/bin/python "$here/aiohttp_client.py" "$url" --requests "$AIOHTTP_REQUESTS" --concurrency "$CONCURRENCY")
echo "$aio_out" | grep -v '^RESULT'
aio_rps=$(echo "$aio_out" | awk -F= '/^RESULT/ {print $2}')

# --- ratios ----------------------------------------------------------------------------------
echo
python3 - "$tts_rps" "$wrk_rps" "$aio_rps" "$(field rss_start_kib)" "$(field rss_warm_kib)" "$(field rss_end_kib)" "$REQUESTS" "$http_rps" <<'EOF'
import sys
tts, wrk, aio = (float(x) for x in sys.argv[1:4])
start, warm, end = (int(x) / 1024 for x in sys.argv[4:7])
n = int(sys.argv[7])
http = float(sys.argv[8])
def verdict(ok): return "met" if ok else "NOT met"
print(f"ttsbench / AsyncHTTPClient alone = {tts / http:.2f}x  (target >= 0.5x: {verdict(tts / http >= 0.5)})")
print(f"ttsbench / aiohttp                = {tts / aio:.2f}x  (target >= 2x: {verdict(tts / aio >= 2)})")
print(f"the machine's limit: wrk; AsyncHTTPClient alone = {http / wrk:.2f}x wrk, ttsbench's full path = {tts / wrk:.2f}x wrk")
growth = end - warm
print(f"ttsbench RSS: {start:.0f} MiB at start, {warm:.0f} MiB after warm-up, {end:.0f} MiB after {n} requests "
      f"({growth:+.0f} MiB after warm-up: {'flat' if growth <= max(16, 0.1 * warm) else 'GROWING'})")
EOF
