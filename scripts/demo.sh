#!/usr/bin/env bash
# Builds a sandbox Docker host under /tmp with a private dockerd (Docker 20.10, overlay2),
# damages it in one way per finding kind, audits it with the layersweep binary given as $1,
# prints the report and removes the sandbox. Needs root. The host's own Docker, if any, is
# never touched: every path, socket and cgroup belongs to the sandbox.
#
# Usage: scripts/demo.sh path/to/layersweep
set -euo pipefail

binary=${1:?usage: scripts/demo.sh path/to/layersweep}
binary=$(realpath "$binary")
here=$(dirname "$(realpath "$0")")
# shellcheck source=scripts/lib/sandbox.sh
source "$here/lib/sandbox.sh"

if ((EUID != 0)); then
  echo "error: the demo mounts overlays and creates cgroups; run it as root" >&2
  exit 2
fi

# One demo at a time; a sandbox left by an interrupted run is removed first.
exec 9>/tmp/lsw-demo.lock
flock 9
for stale in /tmp/lsw-demo-*; do
  [[ -d $stale ]] && lsw_remove_sandbox "$stale" "$(cat "$stale/cgroup-parent" 2>/dev/null)"
done

LSW_SANDBOX=$(mktemp -d /tmp/lsw-demo-XXXXXX)
LSW_CGROUP_PARENT=lsw-demo-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')
holder_pid=
cleanup() {
  [[ -n $holder_pid ]] && lsw_kill_wait "$holder_pid"
  lsw_remove_sandbox "$LSW_SANDBOX" "$LSW_CGROUP_PARENT"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

step() { printf '==> %s\n' "$*" >&2; }

step "starting a private dockerd in $LSW_SANDBOX"
lsw_start_dockerd
root=$LSW_SANDBOX/root
layerdb=$root/image/overlay2/layerdb

step "importing a busybox image and building images on it"
lsw_busybox_tarball "$LSW_SANDBOX/busybox.tar"
lsw_docker import --change 'CMD ["sh"]' "$LSW_SANDBOX/busybox.tar" lsw/busybox:1 >/dev/null
lsw_build lsw/healthy:1 'echo healthy > /healthy'
lsw_build lsw/locked:1 'echo locked > /locked'
lsw_build lsw/victim:1 'echo victim > /victim'
lsw_build lsw/unlinked:1 'echo unlinked > /unlinked'
lsw_build lsw/unreferenced:1 'echo unreferenced > /unreferenced'

step "stale-removal: docker rmi fails on an immutable file"
locked=$(lsw_top_layer lsw/locked:1)
chattr +i "$root/overlay2/$locked/diff/locked"
lsw_docker rmi lsw/locked:1 >/dev/null 2>&1 || true

step "dangling-layer-metadata: a layer directory deleted under an image"
rm -rf "${root:?}/overlay2/$(lsw_top_layer lsw/victim:1)"

step "broken-layer-link: a deleted l/ link"
unlinked=$(lsw_top_layer lsw/unlinked:1)
rm -f "$root/overlay2/l/$(cat "$root/overlay2/$unlinked/link")"

step "zombie-process: a container init that never reaps its child"
lsw_docker run --detach --network host lsw/busybox:1 sh -c 'sleep 0 & exec sleep 3600' \
  >/dev/null

step "leaked-mount: a stopped container's shm held in a private mount namespace"
held=$(lsw_docker run --detach --ipc shareable --network host lsw/busybox:1 sleep 3600)
# The holder unmounts, in its namespace only, every other mount under /tmp, so it pins
# nothing but this shm mount and the mounts above it.
setsid unshare --mount --propagation private /bin/sh -c '
  awk "{ print \$5 }" /proc/self/mountinfo | sort -r | while read -r point; do
    case "$point" in /tmp/*) ;; *) continue ;; esac
    case "$1/" in "$point"/*) continue ;; esac
    umount -l "$point" 2>/dev/null
  done
  exec sleep 3600' holder "$root/containers/$held/mounts/shm" </dev/null >/dev/null 2>&1 &
holder_pid=$!
disown "$holder_pid"
until grep -q "$held/mounts/shm" "/proc/$holder_pid/mountinfo" 2>/dev/null; do sleep 0.1; done
lsw_docker stop --time 1 "$held" >/dev/null

step "orphaned-layer: dockerd killed while docker import streams a layer"
victim=$(lsw_docker run --detach --network host lsw/busybox:1 sleep 3600)
victim_pid=$(lsw_docker inspect --format '{{.State.Pid}}' "$victim")
mkfifo "$LSW_SANDBOX/import.fifo"
lsw_docker import - lsw/partial:1 <"$LSW_SANDBOX/import.fifo" >/dev/null 2>&1 &
exec 8>"$LSW_SANDBOX/import.fifo"
# The tar header of a 64 MiB file and its first MiB, then the stream stalls with the pipe
# still open, so dockerd is inside the layer apply, before the metadata commit.
mkdir "$LSW_SANDBOX/big" && truncate -s 64M "$LSW_SANDBOX/big/big"
{ tar -C "$LSW_SANDBOX/big" -cf - big || true; } | head -c $((512 + (1 << 20))) >&8
until find "$root/overlay2" -path '*/diff/big' -size +1000k | grep -q .; do sleep 0.1; done

step "stale-container-state, dead-mount, leaked-cgroup: init killed while dockerd is down"
lsw_crash_dockerd
exec 8>&-
lsw_kill_wait "$victim_pid"

step "unreferenced-layer-chain: an image config deleted while dockerd is down"
unreferenced=$(sed -n 's/.*"lsw\/unreferenced:1":"sha256:\([0-9a-f]*\)".*/\1/p' \
  "$root/image/overlay2/repositories.json")
rm -f "$root/image/overlay2/imagedb/content/sha256/$unreferenced"

step "injected:"
{
  echo "  stale-removal           $(ls -d "$layerdb"/sha256/*-removing)"
  partial=$(find "$root/overlay2" -path '*/diff/big')
  echo "  orphaned-layer          ${partial%/diff/big}"
  echo "  unreferenced chain of   image sha256:$unreferenced"
  echo "  leaked-mount            $root/containers/$held/mounts/shm (pid $holder_pid)"
  echo "  stale-container-state   $victim (pid $victim_pid killed)"
  echo "  leaked-cgroup           $LSW_CGROUP_PARENT/$victim"
} >&2

step "auditing the sandbox"
status=0
"$binary" audit --docker-root "$root" --docker-exec-root "$LSW_SANDBOX/exec" \
  --docker-socket "$LSW_SANDBOX/docker.sock" --docker-cgroup-parent "/$LSW_CGROUP_PARENT" \
  --proc /proc --cgroup-root /sys/fs/cgroup || status=$?
step "audit exited with status $status (1: findings reported)"
step "removing the sandbox"
# Status 1 is the expected outcome here; 2 and 64 mean the audit itself failed.
((status <= 1))
