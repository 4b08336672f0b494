import Foundation

extension Watchdog {
  /// Checks every probe slot against its deadline and, with `startingNew`, starts a probe
  /// on each idle target.
  /// - Returns: the stall events seen.
  func evaluateProbes(startingNew: Bool) -> [WatchEvent] {
    var events: [WatchEvent] = []
    for mountPoint in mountTargets.keys.sorted() {
      guard let target = mountTargets[mountPoint] else { continue }
      events += evaluateMount(target, startingNew: startingNew)
    }
    for socket in runtimeTargets.keys.sorted() {
      guard let target = runtimeTargets[socket] else { continue }
      events += evaluateRuntime(target, socket: socket, startingNew: startingNew)
    }
    return events
  }

  private func evaluateMount(_ target: ProbeTarget, startingNew: Bool) -> [WatchEvent] {
    guard case .mount(let mount) = target.subject else { return [] }
    let now = MonotonicClock.now()
    let wallNow = Date()
    var events: [WatchEvent] = []
    let transition = target.tracker.update(
      running: target.slot.current, completion: target.slot.lastCompletion, now: now,
      timeout: configuration.timeout)

    switch transition {
    case .none:
      break
    case .started(let running), .ongoing(let running):
      let elapsed = now - running.startedAt
      let startedAt = wallNow.addingTimeInterval(-elapsed)
      let finding = WatchFindings.hungFilesystem(
        mount, phase: running.phase, elapsed: elapsed, timeout: configuration.timeout,
        startedAt: startedAt)
      target.finding = finding
      if case .started = transition {
        target.stallsTotal += 1
        console.log(
          .warning, "mount probe passed its deadline",
          ["mount": mount.mountPoint, "probe": running.phase, "elapsed_seconds": "\(Int(elapsed))"])
        events.append(WatchEvent(event: .started, time: wallNow, finding: finding))
      } else {
        events.append(WatchEvent(event: .ongoing, time: wallNow, finding: finding))
      }
    case .cleared(let stallSeconds, _):
      if let finding = target.finding {
        events.append(
          WatchEvent(event: .cleared, time: wallNow, finding: finding, stallSeconds: stallSeconds))
      }
      target.finding = nil
      console.log(
        .notice, "mount probe returned after a stall",
        ["mount": mount.mountPoint, "stall_seconds": "\(Int(stallSeconds))"])
    }

    countFailure(of: target, name: mount.mountPoint)
    if startingNew { startProbe(on: target) { FilesystemProbe.run(mount, slot: $0) } }
    return events
  }

  private func countFailure(of target: ProbeTarget, name: String) {
    guard let completion = target.takeNewCompletion(), let failure = completion.failure else {
      return
    }
    target.failuresTotal += 1
    console.log(.warning, "mount probe failed", ["mount": name, "error": "\(failure)"])
  }

  func startProbe(
    on target: ProbeTarget, _ probe: @escaping @Sendable (ProbeSlot) -> ProbeFailure?
  ) {
    do {
      _ = try target.slot.start(probe)
    } catch {
      errors.append("\(error)")
      console.log(.error, "could not start a probe", ["error": "\(error)"])
    }
  }
}
