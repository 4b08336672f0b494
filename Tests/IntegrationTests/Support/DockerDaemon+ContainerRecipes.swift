import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Recipes that leave containers, mounts, processes and cgroups in the states real failures
/// leave them in.
extension DockerDaemon {
  /// Runs a container that writes `/keep`, sets the immutable bit on that file in the
  /// container's RW layer and runs `docker rm`. Removal of the layer fails after the daemon
  /// marked the container Dead and after the driver deleted the layer's `link`, `lower` and
  /// `work`, so the container stays Dead with a half-removed RW layer.
  func leaveDeadContainer() throws -> DamageCase {
    let containerID = try docker(
      "create", "--network", "host", TestImage.busybox, "sh", "-c", "echo kept > /keep")
    try docker("start", "--attach", containerID)
    let mountID = try mountID(ofContainer: containerID)
    try makeImmutable("\(overlayRoot)/\(mountID)/diff/keep")
    let removal = try dockerResult(["rm", containerID])
    let state = try docker("inspect", "--format", "{{.State.Dead}}", containerID)
    let containerPath = "\(dataRoot)/containers/\(containerID)"
    // Docker removes a layer's link file first, so the RW layer of a Dead container is
    // expected to look broken and is not reported separately.
    return DamageCase(
      expected: [FindingKey(.orphanedContainer, id: containerID, path: containerPath)],
      checks: [
        StateCheck(fact: "docker rm failed", isSatisfied: removal.status != 0),
        StateCheck(fact: "the container is Dead", isSatisfied: state == "true"),
        StateCheck(
          fact: "the RW layer lost its link file",
          isSatisfied: !HostState.exists("\(overlayRoot)/\(mountID)/link")),
        StateCheck(
          fact: "the RW layer's diff remains",
          isSatisfied: HostState.exists("\(overlayRoot)/\(mountID)/diff/keep")),
      ])
  }

  /// Runs a container with a shareable IPC namespace (so its shm is mounted on the host
  /// under `containers/<id>/mounts/shm`), starts `unshare --mount --propagation private`
  /// while it runs, and stops the container. The private namespace keeps the shm mount;
  /// the overlay mount is detached there when the daemon removes `merged`. Host networking
  /// keeps a network namespace file out of the picture.
  func holdShmMountInPrivateNamespace() throws -> DamageCase {
    let containerID = try docker(
      "run", "--detach", "--ipc", "shareable", "--network", "host", TestImage.busybox,
      "sleep", "3600")
    let shm = "\(dataRoot)/containers/\(containerID)/mounts/shm"
    HostState.wait(timeout: 10) { HostState.isMounted(shm) }
    let holder = try Command.spawn(
      [
        "/usr/bin/unshare", "--mount", "--propagation", "private", "/bin/sh", "-c",
        Self.holderScript, "holder", shm,
      ],
      logPath: "\(sandbox)/holder.log")
    adopt(holder)
    let holderPID = String(holder.pid)
    HostState.wait(timeout: 10) {
      let command = ProcFile.read("/proc/\(holderPID)/comm") ?? Data()
      return String(decoding: command, as: UTF8.self) == "sleep\n"
    }
    let pinned = HostState.mountPoints(pid: holderPID).filter {
      $0.hasPrefix("/tmp/") && !shm.hasPrefix($0)
    }
    try docker("stop", "--time", "1", containerID)
    return DamageCase(
      expected: [FindingKey(.leakedMount, id: shm, path: shm)],
      checks: [
        StateCheck(fact: "the container stopped", isSatisfied: try !isRunning(containerID)),
        StateCheck(
          fact: "the host no longer mounts \(shm)", isSatisfied: !HostState.isMounted(shm)),
        StateCheck(fact: "pid \(holderPID) pins no other mount", isSatisfied: pinned.isEmpty),
        StateCheck(
          fact: "pid \(holderPID) still mounts \(shm)",
          isSatisfied: HostState.isMounted(shm, pid: holderPID)),
      ])
  }

  /// Shell run by the namespace holder. In its private namespace only, it unmounts every
  /// mount under `/tmp` except the shm mount `$1` and the mounts above it, so the holder
  /// pins no mount of another test or sandbox, then sleeps.
  static let holderScript = """
    awk '{ print $5 }' /proc/self/mountinfo | sort -r | while read -r point; do
      case "$point" in /tmp/*) ;; *) continue ;; esac
      case "$1/" in "$point"/*) continue ;; esac
      umount -l "$point" 2>/dev/null
    done
    exec sleep 3600
    """

  /// Runs a container whose init is `sleep`, exec'd by a shell that first started a short
  /// background `sleep 0`. `sleep` never calls wait, so the child stays a zombie.
  func leaveZombieUnderInit() throws -> DamageCase {
    let containerID = try docker(
      "run", "--detach", "--network", "host", TestImage.busybox, "sh", "-c",
      "sleep 0 & exec sleep 3600")
    let initPID = try initPID(ofContainer: containerID)
    let hasZombie = HostState.wait(timeout: 10) {
      !HostState.zombieChildren(of: initPID).isEmpty
    }
    return DamageCase(
      expected: [FindingKey(.zombieProcess, id: containerID, path: nil)],
      checks: [
        StateCheck(fact: "init \(initPID) has a zombie child", isSatisfied: hasZombie),
        StateCheck(fact: "the container runs", isSatisfied: try isRunning(containerID)),
      ])
  }

  /// Returns whether the daemon reports `containerID` as running.
  func isRunning(_ containerID: String) throws -> Bool {
    try docker("inspect", "--format", "{{.State.Running}}", containerID) == "true"
  }

  /// Returns the cgroup directories of `containerID` under the daemon's cgroup parent, one per
  /// hierarchy that has one.
  func cgroupDirectories(ofContainer containerID: String) -> [String] {
    SandboxCleanup.hierarchies().map { "\($0)/\(cgroupParent)/\(containerID)" }
      .filter { HostState.exists($0) }
  }

  /// Expected `leaked-cgroup` findings for the cgroup directories of `containerID`.
  func leakedCgroupKeys(ofContainer containerID: String) -> [FindingKey] {
    cgroupDirectories(ofContainer: containerID).map {
      FindingKey(.leakedCgroup, store: "cgroup", id: "/\(cgroupParent)/\(containerID)", path: $0)
    }
  }

  /// Returns whether every cgroup directory of `containerID` exists and contains no process.
  func cgroupsAreEmpty(ofContainer containerID: String) -> Bool {
    let directories = cgroupDirectories(ofContainer: containerID)
    return !directories.isEmpty
      && directories.allSatisfy { directory in
        let procs = ProcFile.read("\(directory)/cgroup.procs") ?? Data()
        return procs.isEmpty
      }
  }
}
