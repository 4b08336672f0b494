#!/usr/bin/env bash
# Times reading a containerd overlayfs store of many snapshots (default 100,000) with
# layersweep's bbolt reader, and `ctr snapshots ls` on the same files.
#
# Usage: scripts/bench/containerd-bbolt.sh [COUNT]
# Needs root, containerd and ctr (Debian's containerd package) and hyperfine. Starts its own
# containerd with a root, state and socket under a temporary directory and stops it by pid.
set -euo pipefail

count="${1:-100000}"
work="$(mktemp -d /tmp/lsw-bench-XXXXXX)"
containerd_pid=""

cleanup() {
  if [[ -n "$containerd_pid" ]]; then
    kill "$containerd_pid" 2>/dev/null || true
    wait "$containerd_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

echo "writing and reading $count snapshots under $work/root"
swift build --build-tests >/dev/null
LAYERSWEEP_BENCH_CONTAINERD_ROOT="$work/root" LAYERSWEEP_BENCH_SNAPSHOTS="$count" \
  swift test --skip-build --filter ContainerdBenchmarkTests 2>&1 | grep '^bench '

cat >"$work/config.toml" <<CONFIG
version = 2
root = "$work/root"
state = "$work/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$work/containerd.sock"
[ttrpc]
  address = "$work/containerd.sock.ttrpc"
[debug]
  address = ""
[metrics]
  address = ""
CONFIG
containerd --config "$work/config.toml" >"$work/containerd.log" 2>&1 &
containerd_pid=$!
for _ in $(seq 1 100); do
  [[ -S "$work/containerd.sock" ]] && break
  sleep 0.2
done

listed=$(ctr -a "$work/containerd.sock" snapshots ls | tail -n +2 | wc -l)
echo "ctr snapshots ls lists $listed snapshots"
hyperfine --warmup 1 --runs 5 "ctr -a $work/containerd.sock snapshots ls"
