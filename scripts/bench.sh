#!/usr/bin/env bash
# Runs layersweep's benchmarks against their anchor tools in one pass, prints a summary table
# and appends a dated section to BENCHMARKS.md.
#
# Usage: scripts/bench.sh <path to the release layersweep binary>
# (`make bench` builds the release binaries and calls this.) Everything the benchmarks
# create lives under one temporary directory, removed on exit. Set BENCH_RUNS to change the
# number of timed runs per command (default 10) and BENCH_KEEP=1 to keep the directory.
set -euo pipefail

if [[ $# -ne 1 || ! -x $1 ]]; then
  echo "Usage: $0 <path to the layersweep binary>, such as .build/release/layersweep" >&2
  exit 64
fi
BIN=$(realpath "$1")
BENCH_BIN=$(dirname "$BIN")/layersweep-bench
REPO=$(cd "$(dirname "$0")/.." && pwd)
RUNS=${BENCH_RUNS:-10}
WORK=$(mktemp -d /tmp/layersweep-bench.XXXXXX)
RESULTS=$WORK/results.tsv
COMMANDS=$WORK/commands.txt
: >"$RESULTS"
: >"$COMMANDS"

cleanup() {
  if [[ ${BENCH_KEEP:-0} == 1 ]]; then
    echo "kept $WORK" >&2
  else
    rm -rf "$WORK"
  fi
}
trap cleanup EXIT

for tool in hyperfine python3 du findmnt /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is missing; install it first" >&2; exit 2; }
done
[[ -x $BENCH_BIN ]] || { echo "bench: $BENCH_BIN is missing; run 'swift build -c release'" >&2; exit 2; }

# Appends one row to the results: name, layersweep's figure, the anchor's, ratio, goal, verdict.
record() {
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >>"$RESULTS"
}

# Records a benchmark that cannot run yet because its feature is not in the tree.
skip() {
  echo "$1: skipped: not built"
  record "$1" "skipped: not built" "-" "-" "$2" "-"
}

# Prints the mean wall time and the mean CPU time (user plus system) in seconds of each
# command of a hyperfine JSON export, one command a line. CPU time depends far less on the
# machine's load than wall time does.
means() {
  python3 -c 'import json, sys
for result in json.load(open(sys.argv[1]))["results"]:
    print("%.4f %.4f" % (result["mean"], result["user"] + result["system"]))' "$1"
}

# Prints the wall time or the CPU time of a `means` line.
wall() { cut -d' ' -f1 <<<"$1"; }
cpu() { cut -d' ' -f2 <<<"$1"; }

# Formats a `means` line as "<wall> s (CPU <cpu> s)" for the table.
shown() { echo "$(wall "$1") s (CPU $(cpu "$1") s)"; }

# Times the commands after the first argument (a label for the JSON file) with hyperfine,
# warming the page cache for all of them equally, and prints their mean times.
time_commands() {
  local label=$1
  shift
  printf '%s\n' "$@" >>"$COMMANDS"
  hyperfine --warmup 3 --runs "$RUNS" --style basic --ignore-failure \
    --export-json "$WORK/$label.json" "$@" >&2
  means "$WORK/$label.json"
}

# Prints the peak resident set size in KiB of a command, the maximum over three runs.
peak_rss() {
  local peak=0 rss
  for _ in 1 2 3; do
    rss=$(/usr/bin/time -f %M -o "$WORK/rss" bash -c "$1" >/dev/null 2>&1; tail -1 "$WORK/rss")
    ((rss > peak)) && peak=$rss
  done
  echo "$peak"
}

ratio() { python3 -c "print('%.2f' % ($1 / $2))"; }
verdict() { python3 -c "print('met' if $1 else 'NOT met')"; }

# Builds the synthetic host at `scale` in $WORK/host-<scale> and prints its JSON summary.
make_host() {
  python3 "$REPO/scripts/bench/make-synthetic-host.py" "$WORK/host-$1" --scale "$1"
}

# Prints the audit command line for the synthetic host at `scale`. The stores the host does
# not cover point at an empty directory, and the Docker socket at a path where nothing listens.
audit_command() {
  local host=$WORK/host-$1 empty=$WORK/host-$1/empty
  echo "$BIN audit --json --docker-root $host/docker --docker-exec-root $empty" \
    "--docker-socket $host/docker.sock --containers-graphroot $empty" \
    "--containers-runroot $empty --aufs-sysfs $empty --kubelet-root $empty" \
    "--proc $host/proc --cgroup-root $host/cgroup"
}

# 1. Full audit at full and half size: wall time (goal < 1 s), peak RSS (goal < 64 MiB),
# growth of CPU time and RSS from half to full size (linear: about 2x), anchored to `find`
# over the same tree.
bench_audit() {
  local scale command anchor times rss findings
  local -A used peak
  for scale in 1 0.5; do
    command=$(audit_command "$scale")
    anchor="find $WORK/host-$scale"
    findings=$(bash -c "$command" | python3 -c \
      'import json, sys; print(len(json.load(sys.stdin)["findings"]))' || true)
    mapfile -t times < <(time_commands "audit-$scale" "$command" "$anchor")
    rss=$(peak_rss "$command")
    echo "audit at scale $scale: $(shown "${times[0]}"), $rss KiB peak RSS, $findings" \
      "findings; find: $(shown "${times[1]}")"
    record "audit wall time, scale $scale" "$(shown "${times[0]}")" \
      "find $(shown "${times[1]}")" "$(ratio "$(wall "${times[0]}")" "$(wall "${times[1]}")")" \
      "< 1 s" "$(verdict "$(wall "${times[0]}") < 1")"
    record "audit peak RSS, scale $scale" "$((rss / 1024)) MiB" "-" "-" "< 64 MiB" \
      "$(verdict "$rss < 65536")"
    used[$scale]=$(cpu "${times[0]}")
    peak[$scale]=$rss
  done
  # Growth is judged by CPU time, because the load of a shared machine moves wall times
  # between the two runs far more than the input size does.
  record "audit growth, half to full size" \
    "CPU time x$(ratio "${used[1]}" "${used[0.5]}"), RSS x$(ratio "${peak[1]}" "${peak[0.5]}")" \
    "-" "-" "about x2 or less (linear)" \
    "$(verdict "${used[1]} / ${used[0.5]} < 2.5 and ${peak[1]} / ${peak[0.5]} < 2.5")"
}

# 2. Reclaimable-bytes walk (DiskUsage.measure) against `du -sb` over the 10,000 layer
# directories: goal at least 1.5x faster.
bench_disk_usage() {
  local overlay=$WORK/host-1/docker/overlay2 times ours theirs
  ours=$("$BENCH_BIN" du "$overlay" | cut -f1)
  theirs=$(du -sb "$overlay" | cut -f1)
  echo "disk usage: layersweep counts $ours bytes, du -sb $theirs"
  mapfile -t times < <(time_commands du "$BENCH_BIN du $overlay" "du -sb $overlay")
  local speedup
  speedup=$(ratio "$(wall "${times[1]}")" "$(wall "${times[0]}")")
  record "disk usage walk (10k layers)" "$(shown "${times[0]}")" "du -sb $(shown "${times[1]}")" \
    "${speedup}x faster" ">= 1.5x faster" "$(verdict "$speedup >= 1.5")"
}

# 3. Mount table reading (MountInfoReader.read) of a 20,000-line mountinfo against
# `findmnt -r --tab-file`: goal no slower.
# A one-line table is timed too, to show how much of each time is process startup.
bench_mountinfo() {
  local file=$WORK/host-1/proc/self/mountinfo small=$WORK/one-line-mountinfo times speedup
  echo "1 0 8:1 / / rw,relatime - ext4 /dev/vda rw" >"$small"
  mapfile -t times < <(time_commands mountinfo "$BENCH_BIN mountinfo $file" \
    "findmnt -r --tab-file $file" "$BENCH_BIN mountinfo $small" "findmnt -r --tab-file $small")
  speedup=$(ratio "$(wall "${times[1]}")" "$(wall "${times[0]}")")
  record "mountinfo read (20k lines)" "$(shown "${times[0]}")" "findmnt $(shown "${times[1]}")" \
    "${speedup}x faster" "no slower (>= 1x)" "$(verdict "$speedup >= 0.995")"
  record "mountinfo read (1 line: startup)" "$(shown "${times[2]}")" \
    "findmnt $(shown "${times[3]}")" \
    "$(ratio "$(wall "${times[3]}")" "$(wall "${times[2]}")")x faster" "-" "-"
}

# 4a. `layersweep clean` then `purge` of orphaned layers holding 1,000,000 small files,
# against `rm -rf` of an identical tree on the same filesystem: goal no slower.
bench_clean() {
  local line layersweep removal
  line=$(DROP_CACHES=0 "$REPO/scripts/bench-clean.sh" "$BIN" 1000000 "$WORK" | tail -n 1)
  echo "$line"
  layersweep=$(sed -n 's/.*clean+purge: \([0-9.]*\)s.*/\1/p' <<<"$line")
  removal=$(sed -n 's/.*rm -rf: \([0-9.]*\)s.*/\1/p' <<<"$line")
  record "clean of 1,000,000 files" "${layersweep} s" "rm -rf ${removal} s" \
    "$(ratio "$layersweep" "$removal")" "no slower than rm -rf" \
    "$(verdict "$layersweep <= $removal * 1.1")"
}

# 4b. Audit of a containers/storage store of 10,000 layers, with a small fake procfs and
# cgroup tree so the time is the store's, anchored to `find` over the store.
bench_containers_storage() {
  local source=$REPO/Sources/LayersweepKit/Stores/ContainersStorage/ContainersStorageStore.swift
  if [[ ! -f $source ]]; then
    skip "containers/storage audit (10k layers)" "< 1 s"
    return
  fi
  local host=$WORK/host-0.01 store=$WORK/cstorage command times rss
  python3 "$REPO/scripts/bench/make-containers-storage.py" "$store" --layers 10000 >/dev/null
  make_host 0.01 >/dev/null
  command="$BIN audit --json --docker-root $host/empty --docker-exec-root $host/empty"
  command+=" --docker-socket $host/docker.sock --containers-graphroot $store/graph"
  command+=" --containers-runroot $store/run --aufs-sysfs $host/empty --kubelet-root $host/empty"
  command+=" --proc $host/proc --cgroup-root $host/cgroup"
  mapfile -t times < <(time_commands cstorage "$command" "find $store")
  rss=$(peak_rss "$command")
  echo "containers/storage audit: $(shown "${times[0]}"), $rss KiB peak RSS;" \
    "find: $(shown "${times[1]}")"
  record "containers/storage audit (10k layers)" "$(shown "${times[0]}")" \
    "find $(shown "${times[1]}")" "$(ratio "$(wall "${times[0]}")" "$(wall "${times[1]}")")" \
    "< 1 s" "$(verdict "$(wall "${times[0]}") < 1")"
  record "containers/storage audit peak RSS" "$((rss / 1024)) MiB" "-" "-" "< 64 MiB" \
    "$(verdict "$rss < 65536")"
}

# 4c. Reading a containerd snapshotter database of 100,000 snapshots with the bbolt reader,
# against `ctr snapshots ls` on the same files (its own output is printed as is).
bench_bbolt() {
  (cd "$REPO" && scripts/bench/containerd-bbolt.sh 100000) | tee "$WORK/bbolt.out"
  record "bbolt read (100k snapshots)" "see the output above" "ctr snapshots ls" "-" \
    "no slower than ctr snapshots ls" "-"
}

# 4d. `layersweep watch` with 200 mounts in accelerated rounds (100 ms apart): the CPU time
# per round scaled to the default 10 s interval, and RSS from the first to the last sample.
bench_watch() {
  local output share samples
  output=$("$REPO/scripts/bench-watch.sh" "$BIN" 200 600)
  echo "$output"
  share=$(sed -n 's/.*share_of_one_core_at_10s=\([0-9.]*\)%.*/\1/p' <<<"$output")
  samples=$(sed -n 's/^rss_kib_samples=//p' <<<"$output")
  record "watch, 200 mounts at 10 s" "${share}% of one core" "-" "-" "< 1% CPU, flat RSS" \
    "$(verdict "$share < 1") (RSS KiB first to last: $(awk '{print $1 " to " $NF}' <<<"$samples"))"
}

# Prints the results as a Markdown table.
summary_table() {
  echo "| Benchmark | layersweep | Anchor | Ratio | Goal | Verdict |"
  echo "|---|---|---|---|---|---|"
  while IFS=$'\t' read -r name ours anchor ratio goal met; do
    echo "| $name | $ours | $anchor | $ratio | $goal | $met |"
  done <"$RESULTS"
}

# Appends the dated section: machine, load, host sizes, commands and the table.
append_report() {
  local file=$REPO/BENCHMARKS.md
  [[ -f $file ]] || printf '# Benchmarks\n\n## Results\n' >"$file"
  {
    echo
    echo "### $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo
    echo "- Machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs))," \
      "$(free -m | awk '/Mem:/ {print $2}') MiB RAM, kernel $(uname -r)"
    echo "- Load average: $LOAD_BEFORE at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end"
    echo "- Commit: $(git -C "$REPO" rev-parse --short HEAD)$(git -C "$REPO" diff --quiet || echo ' (with uncommitted changes)')"
    echo "- Full-size host: $(python3 -c 'import json, sys
host = json.loads(sys.argv[1])
print("%(layers)d layer directories, %(containers)d containers (%(running)d running), "
      "%(processes)d processes, %(cgroups)d cgroups, %(mounts)d host mounts" % host)' "$HOST_FULL")"
    echo "- Times: hyperfine means (--warmup 3 --runs $RUNS), wall clock with the CPU time" \
      "(user + system) in parentheses; ratios compare wall times."
    echo "- Peak RSS: the maximum of 3 runs of /usr/bin/time -f %M."
    echo
    summary_table
    echo
    echo "Commands (the temporary directory was $WORK):"
    echo
    echo '```'
    cat "$COMMANDS"
    echo '```'
  } >>"$file"
}

main() {
  LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
  echo "bench: building synthetic hosts in $WORK (load average $LOAD_BEFORE)"
  HOST_FULL=$(make_host 1)
  make_host 0.5 >/dev/null
  echo "bench: full-size host: $HOST_FULL"
  bench_audit
  bench_disk_usage
  bench_mountinfo
  bench_clean
  bench_containers_storage
  bench_bbolt
  bench_watch
  echo
  summary_table
  append_report
  echo
  echo "bench: appended the results to $REPO/BENCHMARKS.md"
}

main
