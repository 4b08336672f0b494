import Foundation

/// One probed target (a mount or a runtime socket): its slot, stall state and counters.
/// Only the loop thread uses it; the probe thread writes to the slot alone.
final class ProbeTarget: @unchecked Sendable {
  /// What the target probes.
  enum Subject: Equatable {
    case mount(WatchedMount)
    case runtime(socket: String)
  }

  var subject: Subject
  let slot = ProbeSlot()
  var tracker = StallTracker()
  /// The finding while the target is hung or unresponsive.
  var finding: Finding?
  var stallsTotal = 0
  var failuresTotal = 0
  /// Finish time of the last completion already counted, so each is counted once.
  var countedFinishTime: Double?
  /// For runtimes: why the last ping that returned failed, or nil when it succeeded.
  var lastFailureReason: String?
  /// For runtimes: whether the socket was missing at the last ping.
  var isAbsent = false
  /// For runtimes: when the runtime stopped responding, while it does not respond.
  var unresponsiveSince: Date?

  init(_ subject: Subject) {
    self.subject = subject
  }

  /// The last completion not yet counted, which is then marked as counted.
  func takeNewCompletion() -> ProbeSlot.Completion? {
    guard let completion = slot.lastCompletion, completion.finishedAt != countedFinishTime
    else { return nil }
    countedFinishTime = completion.finishedAt
    return completion
  }
}
