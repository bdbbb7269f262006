#!/usr/bin/env bash
# Builds the HTTPParser sources with libFuzzer + AddressSanitizer and fuzzes them for a bounded time.
# Usage: Fuzz/run.sh [seconds]   (default 60). New inputs go to Fuzz/corpus-work/, crashes to Fuzz/.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
out=Fuzz/.build
mkdir -p "$out" Fuzz/corpus-work
flags=(-O -sanitize=fuzzer,address -parse-as-library -swift-version 6)
swiftc "${flags[@]}" -emit-library -static -emit-module -module-name HTTPParser \
    -emit-module-path "$out/HTTPParser.swiftmodule" -o "$out/libHTTPParser.a" \
    $(find Sources/HTTPParser -name '*.swift' | sort)
swiftc "${flags[@]}" -I "$out" -L "$out" -lHTTPParser -o "$out/fuzz-http" Fuzz/*.swift 2>&1 \
    | grep -v 'Cannot export local symbol' || true
# Swift's own crash backtracer is slow and in the way; libFuzzer and ASan report crashes.
export SWIFT_BACKTRACE=enable=no
# -dict tokens help the fuzzer reach header names and chunked framing quickly.
exec "$out/fuzz-http" -max_total_time="$seconds" -max_len=4096 -timeout=10 \
    -dict=Fuzz/http.dict -artifact_prefix=Fuzz/ -print_final_stats=1 \
    Fuzz/corpus-work Fuzz/corpus
