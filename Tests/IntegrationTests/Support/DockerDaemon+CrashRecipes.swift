import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Recipes that need dockerd killed while containers run.
extension DockerDaemon {
  /// Runs a container, kills dockerd and its containerd with SIGKILL, then kills the
  /// container's init, which the surviving shim reaps. `config.v2.json` still records it as
  /// running with the dead pid, the overlay stays mounted and the cgroups stay, empty.
  /// Leaves dockerd down.
  func killContainerWhileDaemonDown() throws -> DamageCase {
    let containerID = try docker(
      "run", "--detach", "--network", "host", TestImage.busybox, "sleep", "3600")
    let initPID = try initPID(ofContainer: containerID)
    let merged = "\(overlayRoot)/\(try mountID(ofContainer: containerID))/merged"
    crash()
    SandboxCleanup.killAndWait([initPID])
    let hasEmptyCgroups = cgroupsAreEmpty(ofContainer: containerID)
    let expected =
      [
        FindingKey(.staleContainerState, id: containerID, path: nil),
        FindingKey(.deadMount, id: merged, path: merged),
      ] + leakedCgroupKeys(ofContainer: containerID)
    return DamageCase(
      expected: expected,
      checks: [
        StateCheck(fact: "dockerd is down", isSatisfied: pid == nil),
        StateCheck(fact: "init \(initPID) is gone", isSatisfied: !SandboxCleanup.isAlive(initPID)),
        StateCheck(
          fact: "config.v2.json records the container as running",
          isSatisfied: recordedState(of: containerID).running == true),
        StateCheck(fact: "\(merged) is still mounted", isSatisfied: HostState.isMounted(merged)),
        StateCheck(fact: "the cgroups remain, empty", isSatisfied: hasEmptyCgroups),
      ])
  }

  /// Runs a container, kills dockerd, containerd, the container's shim and its init, and
  /// removes the shim's task bundle (as a wiped `/run` would), then starts dockerd again.
  /// The daemon marks the container exited, but with no shim and no bundle nothing runs
  /// `runc delete`, so the container's cgroups stay behind, empty.
  func leaveCgroupsAfterShimDied() throws -> DamageCase {
    let containerID = try docker(
      "run", "--detach", "--network", "host", TestImage.busybox, "sleep", "3600")
    let initPID = try initPID(ofContainer: containerID)
    crash()
    let shims = SandboxCleanup.processes(mentioning: "-id \(containerID) -address \(execRoot)/")
    SandboxCleanup.killAndWait(shims + [initPID])
    try? FileManager.default.removeItem(atPath: taskBundle(of: containerID))
    try start()
    HostState.wait(timeout: 20) { (try? isRunning(containerID)) == false }
    let hasEmptyCgroups = cgroupsAreEmpty(ofContainer: containerID)
    return DamageCase(
      expected: leakedCgroupKeys(ofContainer: containerID),
      checks: [
        StateCheck(fact: "one shim was killed", isSatisfied: shims.count == 1),
        StateCheck(fact: "dockerd runs again", isSatisfied: pid != nil),
        StateCheck(fact: "the container is not running", isSatisfied: try !isRunning(containerID)),
        StateCheck(fact: "the cgroups remain, empty", isSatisfied: hasEmptyCgroups),
      ])
  }

  /// Returns the containerd v2 task bundle of a container started by this daemon.
  func taskBundle(of containerID: String) -> String {
    "\(execRoot)/containerd/daemon/io.containerd.runtime.v2.task/moby/\(containerID)"
  }

  /// `State.Running` and `State.Pid` from the container's `config.v2.json`.
  func recordedState(of containerID: String) -> (running: Bool?, pid: Int?) {
    let path = "\(dataRoot)/containers/\(containerID)/config.v2.json"
    guard let data = ProcFile.read(path),
      let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
      let state = object["State"] as? [String: Any]
    else { return (nil, nil) }
    return (state["Running"] as? Bool, state["Pid"] as? Int)
  }
}
