#!/usr/bin/env bash
# The gate's speed: builds authd in release, then measures GET /verify against nginx and a page
# behind nginx's auth_request against the same page unprotected, in the same run.
# Usage: Benchmarks/run-gate-bench.sh [--duration SECONDS] [--rounds N]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
need=()
command -v wrk >/dev/null || need+=(wrk)
command -v nginx >/dev/null || need+=(nginx-light)
if [ ${#need[@]} -gt 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
fi
(cd "$here/.." && swift build -c release --product authd >&2)
binary="$(cd "$here/.." && swift build -c release --show-bin-path)/authd"
ulimit -n "$(ulimit -Hn)"
exec python3 "$here/scripts/gate_bench.py" "$binary" "$@"
