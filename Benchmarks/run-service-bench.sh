#!/usr/bin/env bash
# The load harness: builds authd in release, then measures it against nginx in the same run.
# Usage: Benchmarks/run-service-bench.sh [--quick] [--duration SECONDS]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
need=()
command -v wrk >/dev/null || need+=(wrk)
command -v nginx >/dev/null || need+=(nginx-light)
command -v valgrind >/dev/null || need+=(valgrind)
if [ ${#need[@]} -gt 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
fi
(cd "$here/.." && swift build -c release --product authd >&2)
binary="$(cd "$here/.." && swift build -c release --show-bin-path)/authd"
ulimit -n "$(ulimit -Hn)"
exec python3 "$here/scripts/service_bench.py" "$binary" "$@"
