/// Builds the `blocked-task` finding for one task in state D, reading its wchan, kernel
/// stack, cgroup and the mount it waits on.
struct BlockedTaskReport: Sendable {
  var procRoot: String
  var locator: TaskMountLocator

  /// Most kernel stack frames kept in the finding.
  static let stackFrameLimit = 16

  func finding(for key: BlockedTaskScanner.TaskKey, stat: TaskStat, seconds: Double)
    -> Finding
  {
    let taskDirectory = "\(procRoot)/\(key.pid)/task/\(key.tid)"
    let wchan = ProcFile.read(taskDirectory + "/wchan", limit: 256) ?? ""
    var details = [
      "pid": "\(key.pid)", "tid": "\(key.tid)", "command": stat.command,
      "blocked_seconds": "\(Int(seconds))", "wchan": wchan,
    ]
    var evidence = [
      "\(stat.command) (pid \(key.pid), tid \(key.tid)) has been in state D for at least "
        + "\(Int(seconds)) s, waiting in \(wchan.isEmpty ? "an unknown kernel function" : wchan)"
    ]

    if let stack = kernelStack(taskDirectory) {
      details["stack"] = stack
    }
    let cgroupText = ProcFile.read("\(procRoot)/\(key.pid)/cgroup", limit: 4096) ?? ""
    if let cgroup = ContainerCgroup.cgroupPath(fromProcCgroup: cgroupText) {
      details["cgroup"] = cgroup
      if let container = ContainerCgroup.containerID(inCgroupPath: cgroup) {
        details["container"] = container
        evidence.append("belongs to container \(container) (cgroup \(cgroup))")
      }
    }
    let location = locator.locate(pid: key.pid, tid: key.tid)
    if let location {
      details["mount"] = location.mountPoint
      evidence.append(location.evidence)
    }
    return Finding(
      kind: .blockedTask, store: "proc", id: "\(key.pid)/\(key.tid)",
      path: location?.mountPoint, evidence: evidence, ageSeconds: Int64(seconds),
      nextStep: "Find what the task waits on from its wchan and stack; a hung mount listed "
        + "by the watchdog is the usual cause.", details: details)
  }

  /// The function names of `/proc/<pid>/task/<tid>/stack`, one per frame joined by `;`, or
  /// nil when it is unreadable (it needs root) or empty.
  private func kernelStack(_ taskDirectory: String) -> String? {
    guard let text = ProcFile.read(taskDirectory + "/stack", limit: 4096) else { return nil }
    let frames = text.split(separator: "\n").prefix(Self.stackFrameLimit).map { line in
      let symbol = line.split(separator: " ").last ?? line[...]
      return String(symbol.split(separator: "+").first ?? symbol)
    }
    return frames.isEmpty ? nil : frames.joined(separator: ";")
  }
}
