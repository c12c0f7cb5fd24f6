#!/usr/bin/env bash
# Fleet figures: does `ttsbench run`, with its default options, keep a latency
# endpoint full? nginx from Debian with the echo module (`libnginx-mod-http-echo`) answers every
# POST with a canned chat completion after `echo_sleep` (50 ms and 250 ms). For each latency L and
# each max_concurrency C (256, 512, 2048), the release `ttsbench run` binary runs a generated suite
# (ITEMS items x majority@8, one request per sample, one seed, default options: no --workers) on a
# fresh database, and fleet.py prints, per run: samples/s against Little's law's C/L, and CPU
# seconds (user + system, getrusage of the process) per 10,000 requests. Goal: >= 0.9 of C/L up
# to the client's ceiling (the CPU a request costs bounds the rate on this machine's cores).
#
# Installs what is missing: nginx and libnginx-mod-http-echo (apt-get). Raises `ulimit -n`.
# Environment: ITEMS (2500, i.e. 20,000 samples a run), LATENCIES ("0.05 0.25"),
# CONCURRENCIES ("256 512 2048"), NGINX_WORKERS (1), SWIFT (swift), BINARY (a ttsbench binary to
# measure instead of building .build/release/ttsbench, e.g. an older one for a before/after).
set -euo pipefail
cd "$(dirname "$0")/../.."
here=bench/fleet
ITEMS=${ITEMS:-2500}
LATENCIES=${LATENCIES:-"0.05 0.25"}
CONCURRENCIES=${CONCURRENCIES:-"256 512 2048"}
NGINX_WORKERS=${NGINX_WORKERS:-1}
SWIFT=${SWIFT:-swift}
ECHO_MODULE=/usr/lib/nginx/modules/ngx_http_echo_module.so

# --- what is missing -------------------------------------------------------------------------
need=()
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx)
[ -f "$ECHO_MODULE" ] || need+=(libnginx-mod-http-echo)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing ${need[*]} (apt-get)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
# Up to 2048 connections each side of 127.0.0.1, plus the database and nginx's own files.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt 8192 ]; then
  echo "warning: ulimit -n is $(ulimit -n); 2048 connections need more (raise the hard limit)"
fi
if [ -z "${BINARY:-}" ]; then
  BINARY=.build/release/ttsbench
  if ! build_log=$($SWIFT build -c release --product ttsbench 2>&1); then
    echo "$build_log" | grep -E "error" -A3 | head -40
    exit 1
  fi
fi

# --- nginx on a free port, with its own prefix ------------------------------------------------
prefix=$(mktemp -d /tmp/ttsbench-fleet-bench.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
nginx_pid=""
cleanup() {
  if [ -n "$nginx_pid" ]; then kill "$nginx_pid" 2>/dev/null || true; wait "$nginx_pid" 2>/dev/null || true; fi
  rm -rf "$prefix"
}
trap cleanup EXIT
mkdir -p "$prefix/logs" "$prefix/tmp"
# The canned body (bench/endpoint/canned.json) inside an nginx single-quoted string.
body=$(tr -d '\n' < bench/endpoint/canned.json | sed -e 's/\\/\\\\/g' -e "s/'/\\\\'/g")
locations=""
for latency in $LATENCIES; do
  ms=$(python3 -c "print(round($latency * 1000))")
  locations+="
    location /l$ms/ {
      default_type application/json;
      echo_read_request_body;
      echo_sleep $latency;
      echo '$body';
    }"
done
nofile=$(ulimit -n); [ "$nofile" = unlimited ] && nofile=65536
cat > "$prefix/nginx.conf" <<CONF
load_module $ECHO_MODULE;
worker_processes $NGINX_WORKERS;
worker_rlimit_nofile $nofile;
pid $prefix/nginx.pid;
error_log $prefix/logs/error.log warn;
events { worker_connections $(( nofile / 2 )); }
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
    listen 127.0.0.1:$port backlog=4096;
$locations
  }
}
CONF
"$NGINX" -p "$prefix" -c "$prefix/nginx.conf" -e "$prefix/logs/error.log" -g 'daemon off;' &
nginx_pid=$!
first_ms=$(python3 -c "print(round(${LATENCIES%% *} * 1000))")
url="http://127.0.0.1:$port/l$first_ms/v1/chat/completions"
for _ in $(seq 100); do
  curl -fsS -o /dev/null -X POST -d '{}' "$url" 2>/dev/null && break
  sleep 0.1
done
reply=$(curl -fsS -X POST -H 'Content-Type: application/json' -d '{"x": 1}' "$url")
python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert d["choices"][0]["message"]["content"]' "$reply" \
  || { echo "nginx does not serve the canned completion: $reply"; cat "$prefix/logs/error.log"; exit 1; }
echo "nginx $("$NGINX" -v 2>&1 | sed 's/.*\///') + echo module on 127.0.0.1:$port ($NGINX_WORKERS worker), $(nproc) cores, ulimit -n $(ulimit -n)"

python3 "$here/fleet.py" --binary "$BINARY" --base "http://127.0.0.1:$port" --work "$prefix" \
  --items "$ITEMS" --latencies $LATENCIES --concurrencies $CONCURRENCIES
