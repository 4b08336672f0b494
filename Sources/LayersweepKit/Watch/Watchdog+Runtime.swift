import Foundation

#if canImport(Glibc)
  import Glibc
#endif

extension Watchdog {
  /// Evaluates the ping of one runtime socket. The runtime is unresponsive while its last
  /// ping failed or while a ping is past its deadline; a later successful ping clears it.
  /// A missing socket means the runtime is not installed or not running as a service, and
  /// is no finding.
  func evaluateRuntime(_ target: ProbeTarget, socket: String, startingNew: Bool)
    -> [WatchEvent]
  {
    let now = MonotonicClock.now()
    let wallNow = Date()
    let transition = target.tracker.update(
      running: target.slot.current, completion: target.slot.lastCompletion, now: now,
      timeout: configuration.timeout)
    var failure: String?
    if case .started = transition { target.stallsTotal += 1 }
    switch transition {
    case .started, .ongoing:
      failure = "no response within \(WatchFindings.format(configuration.timeout)) s"
    default:
      if let completion = target.takeNewCompletion() {
        target.isAbsent = completion.failure?.operation == Self.absentOperation
        let realFailure = target.isAbsent ? nil : completion.failure
        target.lastFailureReason = realFailure.map(Self.pingFailureText)
        if target.lastFailureReason != nil { target.failuresTotal += 1 }
      }
      failure = target.lastFailureReason
    }

    let events = updateRuntimeFinding(target, socket: socket, failure: failure, at: wallNow)
    if startingNew {
      let timeout = configuration.timeout
      startProbe(on: target) { _ in Self.pingProbe(socket: socket, timeout: timeout) }
    }
    return events
  }

  private func updateRuntimeFinding(
    _ target: ProbeTarget, socket: String, failure: String?, at wallNow: Date
  ) -> [WatchEvent] {
    guard let failure else {
      guard let finding = target.finding else { return [] }
      target.finding = nil
      target.unresponsiveSince = nil
      console.log(.notice, "runtime responds again", ["socket": socket])
      return [WatchEvent(event: .cleared, time: wallNow, finding: finding)]
    }
    let isNew = target.finding == nil
    let since = target.unresponsiveSince ?? wallNow
    target.unresponsiveSince = since
    let finding = WatchFindings.unresponsiveRuntime(socket: socket, reason: failure, since: since)
    target.finding = finding
    if isNew {
      console.log(
        .warning, "runtime did not respond to its ping", ["socket": socket, "error": failure])
    }
    return [WatchEvent(event: isNew ? .started : .ongoing, time: wallNow, finding: finding)]
  }

  /// The operation of the failure that marks a missing socket.
  static let absentOperation = "absent"

  /// Pings `socket`. A missing socket returns a failure whose operation is
  /// `absentOperation`, which yields no finding.
  static func pingProbe(socket: String, timeout: Double) -> ProbeFailure? {
    var info = stat()
    if lstat(socket, &info) != 0 && errno == ENOENT {
      return ProbeFailure(operation: absentOperation, path: socket, errno: ENOENT)
    }
    guard let reason = RuntimePing.ping(socketPath: socket, timeout: timeout) else { return nil }
    return ProbeFailure(operation: "ping", path: socket, errno: 0, message: reason)
  }

  static func pingFailureText(_ failure: ProbeFailure) -> String {
    failure.message ?? "\(failure)"
  }
}
