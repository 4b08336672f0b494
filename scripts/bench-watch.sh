#!/usr/bin/env bash
# Measures the CPU time and resident memory of `layersweep watch` over many mounts.
#
# Usage: scripts/bench-watch.sh BINARY [MOUNTS] [ROUNDS]
# Mounts MOUNTS small tmpfs filesystems (default 200) in a private temporary directory and
# runs ROUNDS rounds (default 600) at a 100 ms interval, sampling VmRSS every second.
# Prints the CPU time per round and its share of one core at a 10 s interval.
# Needs root. It unmounts and removes everything it created, also on failure.
set -euo pipefail

binary=${1:?usage: scripts/bench-watch.sh BINARY [MOUNTS] [ROUNDS]}
mounts=${2:-200}
rounds=${3:-600}
base=$(mktemp -d /tmp/layersweep-bench-watch.XXXXXX)
watcher=""

cleanup() {
  if [[ -n "$watcher" ]] && kill -0 "$watcher" 2>/dev/null; then kill "$watcher"; fi
  for dir in "$base"/m/*; do umount "$dir" 2>/dev/null || true; done
  rm -rf "$base"
}
trap cleanup EXIT

mkdir -p "$base/m"
paths=()
for ((i = 0; i < mounts; i++)); do
  dir=$(printf '%s/m/%03d' "$base" "$i")
  mkdir "$dir"
  mount -t tmpfs -o size=1m layersweep-bench "$dir"
  paths+=("$dir")
done
list=$(IFS=,; echo "${paths[*]}")

# The watchdog's CPU time is the sum of utime and stime in /proc/PID/stat. The last
# sample is taken within a second of the exit, so the total is a slight underestimate.
"$binary" watch --no-discovery --mount "$list" --write-probe "${paths[0]}/probe" \
  --docker-socket none --listen 127.0.0.1:0 --interval 100ms --timeout 1s \
  --rounds "$rounds" 2>"$base/watch.err" &
watcher=$!
ticks=$(getconf CLK_TCK)
samples=()
cpu_ticks=0
while kill -0 "$watcher" 2>/dev/null; do
  status=$(cat "/proc/$watcher/status" 2>/dev/null || true)
  stat=$(cat "/proc/$watcher/stat" 2>/dev/null || true)
  rss=$(awk '/^VmRSS/ {print $2}' <<<"$status")
  [[ -n "$rss" ]] && samples+=("$rss")
  [[ -n "$stat" ]] && cpu_ticks=$(awk '{print $12 + $13}' <<<"${stat##*) }")
  sleep 1
done
wait "$watcher" || true
watcher=""

awk -v t="$cpu_ticks" -v h="$ticks" -v r="$rounds" -v m="$mounts" 'BEGIN {
  per = t / h / r
  printf "mounts=%d rounds=%d cpu_seconds=%.2f\n", m, r, t / h
  printf "cpu_ms_per_round=%.2f share_of_one_core_at_10s=%.3f%%\n", per * 1000, per / 10 * 100
}'
echo "rss_kib_samples=${samples[*]}"
