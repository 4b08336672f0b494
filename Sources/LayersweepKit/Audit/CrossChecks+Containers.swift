import Foundation

extension CrossChecks {
  /// Command names of the processes that supervise a container's init: containerd's shims
  /// (whose 15-byte `comm` truncates `containerd-shim-runc-v2` to `containerd-shim`) and
  /// Podman's conmon.
  static let shimCommandPrefixes = ["containerd-shim", "conmon", "crun-shim", "runc-shim"]

  /// `stale-container-state`: records that claim a process that is gone, a zombie or reused.
  /// One finding per container; id is the container id, path the record's file.
  func staleContainerStateFindings() -> [Finding] {
    verdicts.compactMap { record, liveness in
      switch liveness {
      case .gone, .zombie, .reused, .missingPID:
        return staleContainerStateFinding(record, liveness)
      case .live, .notClaimed:
        return nil
      }
    }
  }

  private func staleContainerStateFinding(_ record: ContainerRecord, _ liveness: ContainerLiveness)
    -> Finding
  {
    var evidence = ["\(record.sourcePath) records state \(record.recordedState.rawValue)"]
    if let startedAt = record.startedAt {
      evidence[0] += " since \(LivenessJudge.iso(startedAt))"
    }
    evidence.append("container \(record.id): \(liveness.explanation)")

    var details = ["reason": liveness.reasonWord, "state": record.recordedState.rawValue]
    if let pid = record.pid { details["pid"] = String(pid) }
    return Finding(
      kind: .staleContainerState, store: record.store, id: record.id, path: record.sourcePath,
      evidence: evidence, cleanable: false,
      nextStep: "Restart the container runtime so it records the container as stopped, "
        + "then start or remove the container.",
      details: details)
  }

  /// `zombie-process`: zombies whose parent is a runtime shim or a live container's init.
  /// One finding per container, id the container id; when the container cannot be determined, one per
  /// parent process, id `pid-<parent pid>`. The store is the container record's store, or
  /// `process` when no record names the container.
  func zombieProcessFindings() -> [Finding] {
    var groups: [String: (store: String, parent: Int32, pids: [Int32])] = [:]
    for process in host.processes.values where process.state == "Z" {
      guard let parent = host.processes[process.parentPID], isReaper(parent) else { continue }
      let (id, store) = zombieOwner(process, parent: parent)
      groups[id, default: (store, parent.pid, [])].pids.append(process.pid)
    }
    return groups.map { id, group in
      zombieFinding(id: id, store: group.store, parent: group.parent, pids: group.pids.sorted())
    }
  }

  private func isReaper(_ process: HostProcess) -> Bool {
    Self.isShim(process) || livePIDs.contains(process.pid)
  }

  static func isShim(_ process: HostProcess) -> Bool {
    let program = process.arguments.first.map { String($0.split(separator: "/").last ?? "") }
    return shimCommandPrefixes.contains { prefix in
      process.command.hasPrefix(prefix) || (program?.hasPrefix(prefix) ?? false)
    }
  }

  /// Determines the container a zombie belongs to: the live container whose init is its parent, else
  /// the container its cgroup names, else the shim's `-id` argument.
  private func zombieOwner(_ zombie: HostProcess, parent: HostProcess) -> (String, String) {
    if let owner = verdicts.first(where: { $0.liveness == .live(pid: parent.pid) }) {
      return (owner.record.id, owner.record.store)
    }
    let fromCgroup = zombie.cgroups.lazy.compactMap { self.containerID(inCgroupPath: $0.path) }
      .first
    if let id = fromCgroup ?? Self.shimContainerID(parent) {
      return (id, verdict(forContainerID: id)?.record.store ?? "process")
    }
    return ("pid-\(parent.pid)", "process")
  }

  /// Finds the container id in any component of a process's cgroup path, by the naming table.
  func containerID(inCgroupPath path: String) -> String? {
    var current = path
    while !current.isEmpty {
      if let id = cgroupRules.lazy.compactMap({ $0.containerID(inCgroupPath: current) }).first {
        return id
      }
      current = Self.parent(of: current)
    }
    return nil
  }

  static func shimContainerID(_ shim: HostProcess) -> String? {
    guard let flag = shim.arguments.firstIndex(of: "-id"), flag + 1 < shim.arguments.count
    else { return nil }
    let id = shim.arguments[flag + 1]
    return CgroupNamingRule.isContainerID(id) ? id : nil
  }

  private func zombieFinding(id: String, store: String, parent: Int32, pids: [Int32]) -> Finding {
    let parentText = describeProcess(parent)
    let count = pids.count == 1 ? "1 zombie process waits" : "\(pids.count) zombie processes wait"
    var evidence = ["\(count) to be reaped by \(parentText)"]
    evidence += pids.map { "zombie \(describeProcess($0))" }
    return Finding(
      kind: .zombieProcess, store: store, id: id, evidence: evidence, cleanable: false,
      nextStep: "Zombies go away when their parent reaps them or exits: restart the container "
        + "with an init that reaps children (docker run --init), or stop the container.",
      details: [
        "count": String(pids.count), "pids": pids.map(String.init).joined(separator: ","),
        "parent_pid": String(parent),
      ])
  }
}
