#!/usr/bin/env bash
# Reactor vs nginx: wrk throughput on a fixed answer, then RSS per idle keep-alive connection.
# Usage: Benchmarks/run-reactor-bench.sh [seconds] [connections] [idle-connections]
set -euo pipefail
cd "$(dirname "$0")"
SECONDS_PER_RUN=${1:-10}
CONNS=${2:-64}
IDLE=${3:-10000}
REACTOR_PORT=18081
NGINX_PORT=18082
WORK=$(mktemp -d)
PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT

swift build -c release --product ReactorBench >/dev/null
BIN=$(swift build -c release --show-bin-path)/ReactorBench

# nginx, one worker, same answer bytes (Server/Date/Content-Type/Length/Connection + 15-byte body).
mkdir -p "$WORK/nginx/logs"
cat > "$WORK/nginx/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/logs/error.log;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $WORK/nginx/body;
    proxy_temp_path $WORK/nginx/proxy;
    fastcgi_temp_path $WORK/nginx/fastcgi;
    uwsgi_temp_path $WORK/nginx/uwsgi;
    scgi_temp_path $WORK/nginx/scgi;
    keepalive_requests 1000000;
    server {
        listen 127.0.0.1:$NGINX_PORT;
        location / { default_type application/json; return 200 '{"status":"ok"}'; }
    }
}
CONF

wait_port() { for _ in $(seq 100); do (echo > /dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0; sleep 0.05; done; echo "port $1 not up" >&2; exit 1; }
rps() { wrk -t1 -c"$CONNS" -d"${SECONDS_PER_RUN}s" "http://127.0.0.1:$1/" | tee -a "$WORK/wrk.log" | awk '/Requests\/sec/ {print $2}'; }
rss_kib() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }

"$BIN" "$REACTOR_PORT" > "$WORK/reactor.log" & REACTOR_PID=$!; PIDS+=("$REACTOR_PID")
nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" & NGINX_PID=$!; PIDS+=("$NGINX_PID")
wait_port "$REACTOR_PORT"; wait_port "$NGINX_PORT"
show() { python3 -c 'import socket,sys; s=socket.create_connection(("127.0.0.1",int(sys.argv[1]))); s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"); print(s.recv(4096).decode())' "$1"; }
echo "--- reactor answer:"; show "$REACTOR_PORT"
echo "--- nginx answer:"; show "$NGINX_PORT"

REACTOR_RPS=$(rps "$REACTOR_PORT")
NGINX_RPS=$(rps "$NGINX_PORT")

# Idle keep-alive connections: each sends one request, reads the answer, then stays open.
ulimit -n "$(ulimit -Hn)"
RSS_BEFORE=$(rss_kib "$REACTOR_PID")
python3 - "$REACTOR_PORT" "$IDLE" "$WORK/idle-ready" <<'PY' & IDLE_PID=$!; PIDS+=("$IDLE_PID")
import os, socket, sys, time
port, count, ready = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
request = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"
sockets = []
for _ in range(count):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(request)
    got = b""
    while not got.endswith(b'{"status":"ok"}'):
        got += s.recv(4096)
    sockets.append(s)
open(ready, "w").close()
time.sleep(3600)
PY
for _ in $(seq 600); do [ -e "$WORK/idle-ready" ] && break; sleep 0.1; done
[ -e "$WORK/idle-ready" ] || { echo "idle clients did not connect" >&2; exit 1; }
sleep 0.5
RSS_AFTER=$(rss_kib "$REACTOR_PID")

python3 - "$REACTOR_RPS" "$NGINX_RPS" "$RSS_BEFORE" "$RSS_AFTER" "$IDLE" "$CONNS" "$SECONDS_PER_RUN" <<'PY'
import sys
r, n, before, after, idle, conns, secs = map(float, sys.argv[1:])
print(f"wrk -t1 -c{int(conns)} -d{int(secs)}s on 127.0.0.1")
print(f"reactor  requests/s: {r:,.0f}")
print(f"nginx    requests/s: {n:,.0f}")
print(f"ratio reactor/nginx: {r / n:.2f}")
print(f"reactor RSS: {before:,.0f} KiB -> {after:,.0f} KiB with {int(idle)} idle keep-alive connections")
print(f"RSS per idle connection: {(after - before) * 1024 / idle:,.0f} bytes")
PY
