/// Turns what a probe slot shows into stall transitions for one target: a stall starts
/// when the outstanding probe passes its deadline, goes on while that same probe is out,
/// and clears when it returns.
struct StallTracker: Sendable {
  /// A change seen in one evaluation.
  enum Transition: Equatable {
    case none
    case started(ProbeSlot.Running)
    case ongoing(ProbeSlot.Running)
    /// The stuck probe returned after `stallSeconds` in total, counted from its start.
    case cleared(stallSeconds: Double, failure: ProbeFailure?)
  }

  /// Monotonic start time of the probe that is stuck, or nil when nothing is stuck.
  private(set) var stallStartedAt: Double?

  /// Compares the slot's state at monotonic time `now` with the deadline `timeout`.
  mutating func update(
    running: ProbeSlot.Running?, completion: ProbeSlot.Completion?, now: Double,
    timeout: Double
  ) -> Transition {
    if let stallStart = stallStartedAt {
      if let running, running.startedAt == stallStart { return .ongoing(running) }
      stallStartedAt = nil
      let returned = completion.flatMap { $0.startedAt == stallStart ? $0 : nil }
      let finishedAt = returned?.finishedAt ?? now
      return .cleared(stallSeconds: finishedAt - stallStart, failure: returned?.failure)
    }
    if let running, now - running.startedAt >= timeout {
      stallStartedAt = running.startedAt
      return .started(running)
    }
    return .none
  }
}
