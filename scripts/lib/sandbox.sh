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
    cmdline=$(tr '\0' ' ' <"$entry/cmdline" 2>/dev/null) || continue
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

# Removes a sandbox: its processes, mounts, cgroups (parent $2), immutable bits and files.
lsw_remove_sandbox() {
  local sandbox=$1 cgroup_parent=${2:-}
  [[ $sandbox == /tmp/lsw-* && -d $sandbox ]] || return 0
  mapfile -t pids < <(lsw_pids_mentioning "$sandbox")
  lsw_kill_wait "${pids[@]}"
  [[ -n $cgroup_parent ]] && lsw_remove_cgroups "$cgroup_parent"
  lsw_unmount_under "$sandbox"
  rm -rf "$sandbox" 2>/dev/null || { chattr -R -f -i "$sandbox"; rm -rf "$sandbox"; }
}
