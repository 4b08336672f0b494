import Foundation

extension Watchdog {
  /// Scans `/proc` for tasks in state D past `threshold` seconds and reports which
  /// started, are ongoing and cleared since the last scan.
  func scanBlockedTasks(threshold: Double) -> [WatchEvent] {
    let now = MonotonicClock.now()
    let wallNow = Date()
    let hung = Set(
      mountTargets.values.filter { $0.finding != nil }.compactMap { target in
        if case .mount(let mount) = target.subject { return mount.mountPoint }
        return nil
      })
    let locator = TaskMountLocator(
      procRoot: configuration.procRoot, mounts: lastMounts, hungMountPoints: hung)
    let report = BlockedTaskReport(procRoot: configuration.procRoot, locator: locator)

    var current: [String: Finding] = [:]
    for (key, stat, seconds) in scanner.scan(now: now, threshold: threshold) {
      let finding = report.finding(for: key, stat: stat, seconds: seconds)
      current[finding.id] = finding
    }
    var events: [WatchEvent] = []
    for id in current.keys.sorted() {
      guard let finding = current[id] else { continue }
      let isNew = blockedFindings[id] == nil
      if isNew { logBlockedTask(finding) }
      events.append(WatchEvent(event: isNew ? .started : .ongoing, time: wallNow, finding: finding))
    }
    for id in blockedFindings.keys.sorted() where current[id] == nil {
      guard let finding = blockedFindings[id] else { continue }
      console.log(.notice, "task left state D", ["task": id])
      events.append(WatchEvent(event: .cleared, time: wallNow, finding: finding))
    }
    blockedFindings = current
    return events
  }

  private func logBlockedTask(_ finding: Finding) {
    console.log(
      .warning, "task blocked in state D",
      [
        "task": finding.id, "command": finding.details["command"] ?? "",
        "wchan": finding.details["wchan"] ?? "", "mount": finding.details["mount"] ?? "",
        "container": finding.details["container"] ?? "",
      ])
  }

  /// Reads new hung-task reports from the kernel log. Each report is a finding of the
  /// round it was read in only, because the kernel logs it once.
  func readKernelLog() -> [WatchEvent] {
    guard let kernelLog else {
      kernelFindings = []
      return []
    }
    let reports = kernelLog.readReports().filter(isRecent)
    kernelReportsTotal += reports.count
    kernelFindings = reports.map(WatchFindings.kernelReport)
    for finding in kernelFindings {
      console.log(
        .warning, "kernel reported a hung task",
        ["task": finding.id, "evidence": finding.evidence[0]])
    }
    return kernelFindings.map { WatchEvent(event: .started, time: Date(), finding: $0) }
  }

  /// Returns whether a report falls within the window `kernelLogWindow`, when one is set.
  private func isRecent(_ report: KernelLogReader.HungTaskReport) -> Bool {
    guard let window = kernelLogWindow else { return true }
    let loggedAt = Double(report.loggedAtMicroseconds) / 1e6
    return MonotonicClock.now() - loggedAt <= window
  }

  /// Logs a warning when the kernel's hung-task count rose since the last round. The kernel
  /// stops printing hung-task reports after `hung_task_warnings` of them (10 by default),
  /// but it keeps counting.
  func noteHungTaskCount() {
    let count = readHungTaskDetectCount()
    if let count, let previous = hungTaskDetectCount, count > previous {
      console.log(
        .warning, "kernel detected hung tasks",
        ["new": "\(count - previous)", "total": "\(count)"])
    }
    hungTaskDetectCount = count
  }

  /// Reads the kernel's hung-task count, or returns nil where the kernel has no such file.
  func readHungTaskDetectCount() -> Int? {
    let text = ProcFile.read(configuration.hungTaskCountPath, limit: 64)
    return text.flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
  }
}
