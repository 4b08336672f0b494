#!/usr/bin/env bash
# Installs the Debian packages that building, testing, the demo and the benchmarks need,
# when any is missing. Runs as root; does nothing when everything is present.
set -euo pipefail

packages=(
  pkg-config libmount-dev        # the libmount system library target
  docker.io containerd runc      # real runtimes for the integration tests
  podman fuse-overlayfs          # containers/storage tests
  busybox-static                 # image rootfs for docker import
  e2fsprogs util-linux           # mkfs.ext4, losetup, fsfreeze, unshare, findmnt
  prometheus                     # promtool check metrics
  systemd                        # systemd-analyze verify for the units
  hyperfine                      # benchmarks
  strace                         # delays containerd renames in the interrupted-prepare test
)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if ((${#missing[@]} == 0)); then
  exit 0
fi
if ((EUID != 0)); then
  echo "error: missing packages ${missing[*]}; run 'make deps' as root" >&2
  exit 2
fi
echo "installing: ${missing[*]}" >&2
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2
