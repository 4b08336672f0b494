# shellcheck shell=bash
# Functions to create and remove a private Docker sandbox under /tmp: a dockerd with its own
# data root, exec root, socket, pidfile and cgroup parent. Source this file; every function
# acts only on processes, mounts and cgroups that name the sandbox directory or its unique
# cgroup parent.

# Prints the pids of processes whose command line contains $1.
lsw_pids_mentioning() {
  local marker=$1 entry cmdline
  for entry in /proc/[0-9]*; do
    [[ ${entry#/proc/} == "$$" ]] && continue
    cmdline=$(tr '\0' ' ' 2>/dev/null <"$entry/cmdline") || continue
    [[ $cmdline == *"$marker"* ]] && echo "${entry#/proc/}"
  done
  return 0
}

# Kills the given pids with SIGKILL and waits up to 10 s for them to be gone.
lsw_kill_wait() {
  local pid deadline=$((SECONDS + 10))
  (($# == 0)) && return 0
  kill -KILL "$@" 2>/dev/null || true
  for pid in "$@"; do
    while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do
      [[ $(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) == Z ]] && break
      sleep 0.05
    done
  done
}

# Unmounts everything at or below $1, deepest first; lazily only when a plain unmount fails.
lsw_unmount_under() {
  local root=$1 point round
  for round in 1 2 3 4; do
    mapfile -t points < <(awk -v root="$root" '
      { p = $5; gsub(/\\040/, " ", p) }
      p == root || index(p, root "/") == 1 { print length(p) "\t" NR "\t" p }' \
      /proc/self/mountinfo | sort -k1,1nr -k2,2nr | cut -f3)
    ((${#points[@]} == 0)) && return 0
    for point in "${points[@]}"; do
      umount "$point" 2>/dev/null || umount -l "$point" 2>/dev/null || true
    done
  done
}

# Kills the processes in the cgroups named $1 (relative to each hierarchy) and removes
# those cgroups, leaf first, in every hierarchy under /sys/fs/cgroup.
lsw_remove_cgroups() {
  local relative=$1 hierarchy directory
  [[ -n $relative && $relative != */* && $relative != . && $relative != .. ]] || return 0
  for hierarchy in /sys/fs/cgroup /sys/fs/cgroup/*; do
    [[ -d $hierarchy/$relative ]] || continue
    [[ $hierarchy == /sys/fs/cgroup && ! -f $hierarchy/cgroup.controllers ]] && continue
    find "$hierarchy/$relative" -name freezer.state -exec sh -c 'echo THAWED >"$1"' _ {} \; \
      2>/dev/null || true
    mapfile -t pids < <(find "$hierarchy/$relative" -name cgroup.procs -exec cat {} + 2>/dev/null)
    lsw_kill_wait "${pids[@]}"
    find "$hierarchy/$relative" -depth -type d -exec rmdir {} \; 2>/dev/null || true
  done
}

# Removes the sockets that runc shims killed with SIGKILL left in /run/containerd/s. A
# containerd 1.6 shim listens on the SHA-256 of "<containerd address>/<namespace>/<id>".
lsw_remove_shim_sockets() {
  local sandbox=$1 container hash
  for container in "$sandbox"/root/containers/*/; do
    [[ -d $container ]] || continue
    hash=$(printf '%s' "$sandbox/exec/containerd/containerd.sock/moby/$(basename "$container")" |
      sha256sum | cut -d' ' -f1)
    rm -f "/run/containerd/s/$hash"
  done
}

# Removes a sandbox: its processes, mounts, cgroups (parent $2), immutable bits and files.
lsw_remove_sandbox() {
  local sandbox=$1 cgroup_parent=${2:-}
  [[ $sandbox == /tmp/lsw-* && -d $sandbox ]] || return 0
  mapfile -t pids < <(lsw_pids_mentioning "$sandbox")
  lsw_kill_wait "${pids[@]}"
  [[ -n $cgroup_parent ]] && lsw_remove_cgroups "$cgroup_parent"
  lsw_remove_shim_sockets "$sandbox"
  lsw_unmount_under "$sandbox"
  rm -rf "$sandbox" 2>/dev/null || { chattr -R -f -i "$sandbox"; rm -rf "$sandbox"; }
}

# Runs the docker 20.10 CLI against the sandbox daemon in $LSW_SANDBOX.
lsw_docker() {
  DOCKER_CONFIG="$LSW_SANDBOX/cli" DOCKER_BUILDKIT=0 \
    /usr/bin/docker --host "unix://$LSW_SANDBOX/docker.sock" "$@"
}

# Starts dockerd on the sandbox in $LSW_SANDBOX with cgroup parent $LSW_CGROUP_PARENT and
# waits up to 60 s for its API. dockerd starts its own containerd under the exec root.
lsw_start_dockerd() {
  local sandbox=$LSW_SANDBOX file pid deadline=$((SECONDS + 60))
  mkdir -p "$sandbox/root" "$sandbox/exec" "$sandbox/cli"
  [[ -f $sandbox/daemon.json ]] || echo '{}' >"$sandbox/daemon.json"
  echo "$LSW_CGROUP_PARENT" >"$sandbox/cgroup-parent"
  # A pidfile left by a killed daemon stops dockerd from starting, or containerd from
  # being started, when it names a zombie or a reused pid.
  for file in "$sandbox/docker.pid" "$sandbox/exec/containerd/containerd.pid"; do
    pid=$(cat "$file" 2>/dev/null) || continue
    [[ $(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) =~ ^[RSDT]$ ]] || rm -f "$file"
  done
  PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin setsid /usr/sbin/dockerd \
    --config-file "$sandbox/daemon.json" --data-root "$sandbox/root" \
    --exec-root "$sandbox/exec" --host "unix://$sandbox/docker.sock" \
    --pidfile "$sandbox/docker.pid" --storage-driver=overlay2 --bridge=none \
    --iptables=false --ip6tables=false --ip-masq=false --userland-proxy=false \
    --shutdown-timeout=1 --exec-opt native.cgroupdriver=cgroupfs \
    --cgroup-parent="/$LSW_CGROUP_PARENT" </dev/null >>"$sandbox/dockerd.log" 2>&1 &
  LSW_DOCKERD_PID=$!
  until lsw_docker version >/dev/null 2>&1; do
    if ((SECONDS >= deadline)) || ! kill -0 "$LSW_DOCKERD_PID" 2>/dev/null; then
      echo "error: dockerd did not start; see $sandbox/dockerd.log" >&2
      tail -5 "$sandbox/dockerd.log" >&2
      return 1
    fi
    sleep 0.2
  done
}

# Kills dockerd and the containerd it started with SIGKILL, leaving shims and containers.
lsw_crash_dockerd() {
  local containerd
  mapfile -t containerd < <(pgrep -P "$LSW_DOCKERD_PID" || true)
  kill -KILL "$LSW_DOCKERD_PID" 2>/dev/null || true
  wait "$LSW_DOCKERD_PID" 2>/dev/null || true
  lsw_kill_wait "${containerd[@]}"
}

# Writes a tar of a rootfs made from the static busybox with applet symlinks to $1.
lsw_busybox_tarball() {
  local tarball=$1 rootfs applet
  rootfs=$(mktemp -d "$LSW_SANDBOX/rootfs.XXXXXX")
  mkdir -p "$rootfs"/{bin,etc,tmp,proc,sys,dev,root}
  cp /bin/busybox "$rootfs/bin/busybox"
  for applet in $(/bin/busybox --list); do
    [[ $applet == busybox ]] || ln -s busybox "$rootfs/bin/$applet"
  done
  echo 'root:x:0:0:root:/root:/bin/sh' >"$rootfs/etc/passwd"
  tar -C "$rootfs" -cf "$tarball" .
  rm -rf "$rootfs"
}

# Builds image $1 on lsw/busybox:1 with one RUN step $2.
lsw_build() {
  local context
  context=$(mktemp -d "$LSW_SANDBOX/context.XXXXXX")
  printf 'FROM lsw/busybox:1\nRUN %s\n' "$2" >"$context/Dockerfile"
  lsw_docker build --quiet --network none --tag "$1" "$context" >/dev/null
  rm -rf "$context"
}

# Prints the overlay2 directory name of the top layer of image $1.
lsw_top_layer() {
  basename "$(dirname "$(lsw_docker image inspect --format '{{.GraphDriver.Data.UpperDir}}' "$1")")"
}
