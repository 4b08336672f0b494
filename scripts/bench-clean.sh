#!/usr/bin/env bash
# Compares layersweep's removal of orphaned layers (clean to quarantine, then purge through
# the fd-relative remover) with `rm -rf` on an identical tree, in one run on one filesystem.
# Usage: scripts/bench-clean.sh BINARY [FILES] [PARENT]
# FILES defaults to 1000000 small files, spread over 100 layers of 100 directories each.
# The trees live in a new mktemp directory under PARENT (default bench-work/), removed at exit.
set -euo pipefail

binary=$(realpath "$1")
files=${2:-1000000}
parent=${3:-$(pwd)/bench-work}
layers=100
directories_per_layer=100
files_per_directory=$(((files + layers * directories_per_layer - 1) / (layers * directories_per_layer)))

mkdir -p "$parent"
work=$(mktemp -d "$parent/clean.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/docker/overlay2" "$work/rm-tree"

echo "creating $((layers * directories_per_layer * files_per_directory)) files in $layers layers" >&2
python3 - "$work/docker/overlay2" "$layers" "$directories_per_layer" "$files_per_directory" <<'PY'
import os, sys
root, layers, dirs, files = sys.argv[1], *map(int, sys.argv[2:])
for layer in range(layers):
    for d in range(dirs):
        path = os.path.join(root, f"layer{layer:03d}", "diff", f"d{d:03d}")
        os.makedirs(path)
        for f in range(files):
            with open(os.path.join(path, f"f{f:03d}"), "wb") as handle:
                handle.write(b"x" * 64)
PY
cp -a "$work/docker/overlay2/." "$work/rm-tree/"
touch -d '2 days ago' "$work"/docker/overlay2/layer*

python3 - "$work" "$layers" <<'PY' > "$work/report.json"
import json, sys
work, layers = sys.argv[1], int(sys.argv[2])
findings = [{"kind": "orphaned-layer", "store": "docker-overlay2", "id": f"layer{i:03d}",
             "path": f"{work}/docker/overlay2/layer{i:03d}", "evidence": ["benchmark"],
             "age_seconds": 172800, "cleanable": True, "details": {}} for i in range(layers)]
print(json.dumps({"schema_version": 1, "generated_at": "2026-01-01T00:00:00Z",
                  "hostname": "bench", "stores": [], "findings": findings, "errors": []}))
PY

options=(--docker-root "$work/docker" --journal "$work/journal.jsonl" --lock "$work/lock")
sync
[[ ${DROP_CACHES:-1} == 1 ]] && { echo 3 > /proc/sys/vm/drop_caches 2>/dev/null || true; }

start=$(date +%s.%N)
"$binary" clean --yes --min-age 1h --report "$work/report.json" "${options[@]}" > "$work/clean.out" ||
  { echo "clean failed:" >&2; cat "$work/clean.out" >&2; exit 1; }
"$binary" purge --retention 0s "${options[@]}" > "$work/purge.out" ||
  { echo "purge failed:" >&2; cat "$work/purge.out" >&2; exit 1; }
layersweep_seconds=$(echo "$(date +%s.%N) - $start" | bc)

sync
[[ ${DROP_CACHES:-1} == 1 ]] && { echo 3 > /proc/sys/vm/drop_caches 2>/dev/null || true; }
start=$(date +%s.%N)
rm -rf "$work/rm-tree"
rm_seconds=$(echo "$(date +%s.%N) - $start" | bc)

left=$(find "$work/docker/overlay2" -mindepth 1 | wc -l)
echo "layersweep clean+purge: ${layersweep_seconds}s, rm -rf: ${rm_seconds}s, entries left: $left"
