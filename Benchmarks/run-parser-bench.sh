#!/usr/bin/env bash
# Builds ParserBench in release and runs it: authd's RequestParser vs nodejs/http-parser (C).
# Usage: Benchmarks/run-parser-bench.sh [iterations-per-round]
set -euo pipefail
cd "$(dirname "$0")"
swift build -c release --product ParserBench
exec .build/release/ParserBench "$@"
