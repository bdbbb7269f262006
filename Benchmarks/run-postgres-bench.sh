#!/usr/bin/env bash
# authd on PostgreSQL (one node, two behind nginx) beside SQLite and nginx, in one run.
# Usage: Benchmarks/run-postgres-bench.sh [--duration SECONDS] [--rounds N]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
need=()
command -v wrk >/dev/null || need+=(wrk)
command -v nginx >/dev/null || need+=(nginx-light)
command -v psql >/dev/null || need+=(postgresql-client)
if [ ${#need[@]} -gt 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
fi
(cd "$here/.." && swift build -c release --product authd >&2)
binary="$(cd "$here/.." && swift build -c release --show-bin-path)/authd"
ulimit -n "$(ulimit -Hn)"
exec python3 "$here/scripts/postgres_bench.py" "$binary" "$@"
