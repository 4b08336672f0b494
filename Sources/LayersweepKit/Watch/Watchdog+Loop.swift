import Foundation

extension Watchdog {
  /// Runs rounds every `interval` until SIGTERM or SIGINT, or until `roundLimit` rounds.
  ///
  /// Blocks SIGTERM and SIGINT first, so call it on the main thread before any other
  /// thread starts. Between rounds the loop waits in `sigtimedwait`, waking early for
  /// probe deadlines and systemd watchdog pings. A signal ends the run at once, whatever
  /// probes are still stuck; the process then exits without waiting for them.
  public func run(notifier: SystemdNotifier?) throws -> ExitStatus {
    SignalWaiter.blockTerminationSignals()
    let server = try startServer()
    openKernelLog(startAtEnd: true)

    while true {
      let roundStart = MonotonicClock.now()
      emit(runRound())
      writeTextfile()
      if rounds == 1 {
        console.log(.notice, "watch started", startFields())
        notifier?.notify("READY=1")
      }
      notifier?.notify("WATCHDOG=1")
      if let limit = configuration.roundLimit, rounds >= limit {
        waitForTextfile()
        break
      }
      if let signal = waitForNextRound(after: roundStart, notifier: notifier) {
        console.log(.notice, "watch stopping", ["signal": "\(signal)", "rounds": "\(rounds)"])
        notifier?.notify("STOPPING=1")
        server?.stop()
        return .healthy
      }
    }
    server?.stop()
    return .healthy
  }

  /// Runs one round for node-problem-detector: starts every probe, waits until they return
  /// or the timeout passes, and returns 1 when anything was found, 2 when the round could
  /// not complete, else 0.
  ///
  /// A single run cannot watch a task for `--blocked-threshold`, so it reports tasks that
  /// stay in state D from the round's first scan to its last, at least one second later.
  /// A probe thread stuck in state D keeps the kernel from reaping the process until the
  /// thread wakes, so the command line runs this in a child process (`IsolatedOnceRun`).
  public func runOnce() -> ExitStatus {
    kernelLogWindow = configuration.interval
    openKernelLog(startAtEnd: false)
    let start = MonotonicClock.now()
    runRound(blockedThreshold: .infinity)
    while hasOutstandingProbes || MonotonicClock.now() - start < Self.onceMinimumSeconds {
      let elapsed = MonotonicClock.now() - start
      if elapsed >= configuration.timeout && elapsed >= Self.onceMinimumSeconds { break }
      usleep(20_000)
    }
    _ = evaluateProbes(startingNew: false)
    _ = scanBlockedTasks(threshold: MonotonicClock.now() - start - 0.001)
    publishMetrics()
    writeTextfile()
    return reportOnce()
  }

  /// Shortest `--once` round, so the two blocked-task scans lie at least this far apart.
  static let onceMinimumSeconds = 1.0

  private func reportOnce() -> ExitStatus {
    let findings = activeFindings
    if configuration.emitsJSON {
      for finding in findings {
        console.print(WatchEvent(event: .started, time: Date(), finding: finding).jsonLine())
      }
    } else if findings.isEmpty {
      console.print("no hung filesystems, blocked tasks or unresponsive runtimes\n")
    } else {
      for finding in findings {
        console.print("\(finding.kind.rawValue) \(finding.id): \(finding.evidence.first ?? "")\n")
      }
    }
    if !errors.isEmpty { return .failed }
    return findings.isEmpty ? .healthy : .findings
  }

  private func waitForNextRound(after roundStart: Double, notifier: SystemdNotifier?) -> Int32? {
    let nextRound = roundStart + configuration.interval
    while true {
      let now = MonotonicClock.now()
      guard now < nextRound else { return nil }
      var wake = nextRound - now
      if let deadline = secondsToNextDeadline(now: now) { wake = min(wake, deadline + 0.01) }
      if let ping = notifier?.watchdogInterval { wake = min(wake, ping) }
      if let signal = SignalWaiter.wait(seconds: wake) { return signal }
      let events = evaluateProbes(startingNew: false)
      if !events.isEmpty {
        emit(events)
        publishMetrics()
      }
      notifier?.notify("WATCHDOG=1")
    }
  }

  private func emit(_ events: [WatchEvent]) {
    guard configuration.emitsJSON else { return }
    for event in events { console.print(event.jsonLine()) }
  }

  private func startServer() throws -> MetricsServer? {
    guard let address = configuration.listen else { return nil }
    let server = try MetricsServer(address: address) { [weak self] in self?.metricsText ?? "" }
    try server.start()
    console.log(.notice, "serving metrics", ["address": server.boundAddress.description])
    return server
  }

  private func openKernelLog(startAtEnd: Bool) {
    guard let path = configuration.kernelLogPath else { return }
    do {
      kernelLog = try KernelLogReader(path: path, startAtEnd: startAtEnd)
    } catch {
      console.log(
        .warning, "kernel log unavailable; hung-task reports are not read", ["error": "\(error)"])
    }
  }

  private func writeTextfile() {
    guard let path = configuration.textfile else { return }
    if textfileWriter == nil { textfileWriter = TextfileWriter(path: path) }
    guard let writer = textfileWriter else { return }
    if let failure = writer.lastFailure, failure != lastReportedTextfileFailure {
      console.log(
        .error, "could not write the metrics textfile", ["path": path, "error": "\(failure)"])
    }
    lastReportedTextfileFailure = writer.lastFailure
    do {
      if try !writer.submit(metricsText) {
        console.log(.warning, "previous textfile write still outstanding; skipped", ["path": path])
      }
    } catch {
      console.log(.error, "could not start the textfile write", ["error": "\(error)"])
    }
  }

  /// Waits up to the probe timeout for the last textfile write, so a run with `--rounds`
  /// leaves its final metrics behind.
  private func waitForTextfile() {
    guard let writer = textfileWriter else { return }
    let deadline = MonotonicClock.now() + configuration.timeout
    while writer.isWriting && MonotonicClock.now() < deadline { usleep(10_000) }
  }

  private func startFields() -> KeyValuePairs<String, String> {
    [
      "interval_seconds": WatchFindings.format(configuration.interval),
      "timeout_seconds": WatchFindings.format(configuration.timeout),
      "blocked_threshold_seconds": WatchFindings.format(configuration.blockedThreshold),
      "mounts": "\(mountTargets.count)",
    ]
  }
}
