import Foundation

/// Whether a container's recorded process is really running, judged from `/proc` alone.
public enum ContainerLiveness: Sendable, Equatable {
  /// The recorded pid runs, started when the record states, in the container's cgroup.
  case live(pid: Int32)
  /// The record does not claim a process (created, exited, dead).
  case notClaimed(RecordedState)
  /// The record claims a process but has no usable pid.
  case missingPID
  /// No process has the recorded pid.
  case gone(pid: Int32)
  /// The recorded pid is a zombie: it exited and its parent has not reaped it.
  case zombie(pid: Int32)
  /// The recorded pid belongs to another process now; `reason` describes what differs.
  case reused(pid: Int32, reason: String)

  /// Whether the container may be running: live, or recorded in a state that cannot tell.
  /// Mounts and cgroups of such a container are never reported.
  public var mayBeLive: Bool {
    if case .notClaimed(.unknown) = self { return true }
    return isLive
  }

  public var isLive: Bool {
    if case .live = self { return true }
    return false
  }

  /// The short word used in evidence and `details["reason"]`: `gone`, `zombie` or `reused`.
  public var reasonWord: String {
    switch self {
    case .live: "live"
    case .notClaimed: "not-running"
    case .missingPID: "no-pid"
    case .gone: "gone"
    case .zombie: "zombie"
    case .reused: "reused"
    }
  }

  /// One sentence explaining the verdict, for evidence lines.
  public var explanation: String {
    switch self {
    case .live(let pid): "its process \(pid) is running"
    case .notClaimed(let state): "its record says \(state.rawValue)"
    case .missingPID: "its record claims a process but holds no pid"
    case .gone(let pid): "its recorded pid \(pid) does not exist"
    case .zombie(let pid): "its recorded pid \(pid) is a zombie"
    case .reused(let pid, let reason): "its recorded pid \(pid) was reused: \(reason)"
    }
  }
}

/// Judges each container record against the process snapshot.
public struct LivenessJudge: Sendable {
  /// Runtimes whose container cgroup paths contain the container id, so a recorded pid in
  /// another cgroup belongs to another process.
  public static let runtimesNamingCgroupsByID: Set<String> = [
    "docker", "libpod", "crio", "cri-containerd",
  ]

  public var host: HostSnapshot
  /// How far the process start time may be from the record's start time. Runtimes write
  /// the start time after the process was created, so the gap is usually well under a second.
  public var startTimeTolerance: TimeInterval

  public init(host: HostSnapshot, startTimeTolerance: TimeInterval = 5) {
    self.host = host
    self.startTimeTolerance = startTimeTolerance
  }

  /// Judges one record.
  public func judge(_ record: ContainerRecord) -> ContainerLiveness {
    guard record.recordedState.claimsProcess else { return .notClaimed(record.recordedState) }
    guard let pid = record.pid, pid > 0 else {
      // Docker records pid 0 while a restarting container waits out its restart delay.
      return record.recordedState == .restarting ? .notClaimed(.restarting) : .missingPID
    }
    guard let process = host.processes[pid] else { return .gone(pid: pid) }
    if process.state == "Z" || process.state == "X" { return .zombie(pid: pid) }

    if let reason = startTimeMismatch(process, record) ?? cgroupMismatch(process, record) {
      return .reused(pid: pid, reason: reason)
    }
    return .live(pid: pid)
  }

  /// Computes the process's start time in seconds since the epoch.
  public func startTime(of process: HostProcess) -> TimeInterval {
    let ticksPerSecond = Double(max(host.clockTicksPerSecond, 1))
    return Double(host.bootTime) + Double(process.startTicks) / ticksPerSecond
  }

  // NOTE: Docker leaves StartedAt unchanged when containerd reports a start it did not
  // request, so such a container's process counts as reused here.
  private func startTimeMismatch(_ process: HostProcess, _ record: ContainerRecord) -> String? {
    guard let startedAt = record.startedAt else { return nil }
    let processStart = startTime(of: process)
    let gap = processStart - startedAt.timeIntervalSince1970
    guard abs(gap) > startTimeTolerance else { return nil }

    let started = Date(timeIntervalSince1970: processStart)
    return "process \(process.pid) (\(process.command)) started at \(Self.iso(started)), "
      + "\(Int(gap.rounded())) s from the recorded start \(Self.iso(startedAt))"
  }

  private func cgroupMismatch(_ process: HostProcess, _ record: ContainerRecord) -> String? {
    guard Self.runtimesNamingCgroupsByID.contains(record.runtime) else { return nil }
    let paths = process.cgroups.map(\.path).filter { $0 != "/" && !$0.isEmpty }
    guard !paths.isEmpty else { return nil }
    if paths.contains(where: { $0.contains(record.id) }) { return nil }
    return "process \(process.pid) (\(process.command)) is in cgroup \(paths[0]), "
      + "which does not name the container"
  }

  static func iso(_ date: Date) -> String {
    date.formatted(.iso8601)
  }
}
