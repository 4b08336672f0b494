#!/usr/bin/env bash
# Fuzzes the bbolt reader with libFuzzer and AddressSanitizer, starting from the checked-in
# databases. Not part of `make test`.
#
# Usage: scripts/fuzz/bbolt.sh [SECONDS]   (default 60)
set -euo pipefail
cd "$(dirname "$0")/../.."

seconds="${1:-60}"
out=.build/fuzz
mkdir -p "$out/corpus"
cp Tests/LayersweepKitTests/Fixtures/bbolt/*.db "$out/corpus/"
swiftc -sanitize=fuzzer,address -parse-as-library -Onone \
  Sources/LayersweepKit/Stores/BBolt/*.swift Fuzz/BBoltFuzzTarget.swift \
  -o "$out/bbolt-fuzzer" 2> >(grep -v "Cannot export local symbol" >&2)
"$out/bbolt-fuzzer" -max_total_time="$seconds" -max_len=300000 -timeout=10 \
  -rss_limit_mb=2048 "$out/corpus"
