import Foundation

extension Watchdog {
  func collectMetrics() -> WatchMetrics {
    let now = MonotonicClock.now()
    var metrics = WatchMetrics()
    metrics.rounds = rounds
    metrics.lastRoundUnixSeconds = Date().timeIntervalSince1970.rounded()
    metrics.mounts = mountTargets.keys.sorted().compactMap { mountPoint in
      guard let target = mountTargets[mountPoint], case .mount(let mount) = target.subject
      else { return nil }
      let running = target.slot.current
      let completion = target.slot.lastCompletion
      let isStalled = target.tracker.stallStartedAt != nil
      return WatchMetrics.MountState(
        mount: mount, isStalled: isStalled,
        stallSeconds: isStalled ? now - (running?.startedAt ?? now) : 0,
        lastProbeSeconds: completion.map { $0.finishedAt - $0.startedAt },
        stallsTotal: target.stallsTotal, probeFailuresTotal: target.failuresTotal)
    }
    metrics.runtimes = runtimeTargets.keys.sorted().compactMap { socket in
      guard let target = runtimeTargets[socket], !target.isAbsent else { return nil }
      return WatchMetrics.RuntimeState(
        runtime: "docker", socket: socket, isResponding: target.finding == nil,
        stallsTotal: target.stallsTotal)
    }
    metrics.blockedTasks = blockedFindings.keys.sorted().compactMap { blockedFindings[$0] }
    for finding in activeFindings { metrics.findingsByKind[finding.kind, default: 0] += 1 }
    metrics.kernelReportsTotal = kernelReportsTotal
    metrics.kernelHungTaskDetectCount = hungTaskDetectCount
    let targets = Array(mountTargets.values) + Array(runtimeTargets.values)
    metrics.outstandingProbes = targets.filter { $0.slot.current != nil }.count
    return metrics
  }
}
