import Foundation

/// The watchdog: probes mounts and runtime sockets on detached threads, scans `/proc` for
/// blocked tasks and reads kernel hung-task reports, and turns the results into events,
/// findings and metrics.
///
/// Only the loop thread calls `runRound` and `evaluateProbes`. Nothing on that thread
/// touches a watched mount: it reads mountinfo and procfs, and looks at the probe slots.
public final class Watchdog: @unchecked Sendable {
  let configuration: WatchConfiguration
  let console: Console
  var mountTargets: [String: ProbeTarget] = [:]
  var runtimeTargets: [String: ProbeTarget] = [:]
  var scanner: BlockedTaskScanner
  var blockedFindings: [String: Finding] = [:]
  var kernelLog: KernelLogReader?
  var kernelReportsTotal = 0
  /// The kernel's hung-task count at the last round, where the kernel has one.
  var hungTaskDetectCount: Int?
  /// With `--once`: only kernel reports logged within this many seconds count.
  var kernelLogWindow: Double?
  var textfileWriter: TextfileWriter?
  var lastReportedTextfileFailure: ProbeFailure?
  var kernelFindings: [Finding] = []
  var lastMounts: [MountEntry] = []
  var rounds = 0
  /// Problems of the last round that kept it from seeing everything, such as an
  /// unreadable mount table.
  public internal(set) var errors: [String] = []

  private let metricsLock = NSLock()
  private var renderedMetrics = ""

  public init(configuration: WatchConfiguration, console: Console) {
    self.configuration = configuration
    self.console = console
    scanner = BlockedTaskScanner(procRoot: configuration.procRoot)
    for socket in configuration.dockerSockets {
      runtimeTargets[socket] = ProbeTarget(.runtime(socket: socket))
    }
  }

  /// The Prometheus text of the last round.
  public var metricsText: String { metricsLock.withLock { renderedMetrics } }

  /// Every finding present after the last round.
  public var activeFindings: [Finding] {
    var findings = mountTargets.values.compactMap(\.finding)
    findings += runtimeTargets.values.compactMap(\.finding)
    findings += blockedFindings.values
    findings += kernelFindings
    return Finding.sortedForOutput(findings)
  }

  /// Runs one round: refreshes the mount list, evaluates and starts probes, scans for
  /// blocked tasks, reads the kernel log and renders the metrics.
  /// - Returns: the events of the round, in a stable order.
  @discardableResult
  public func runRound(blockedThreshold: Double? = nil) -> [WatchEvent] {
    errors = []
    refreshMounts()
    var events = evaluateProbes(startingNew: true)
    events += scanBlockedTasks(threshold: blockedThreshold ?? configuration.blockedThreshold)
    events += readKernelLog()
    noteHungTaskCount()
    rounds += 1
    publishMetrics()
    return events
  }

  /// Seconds until the earliest outstanding probe passes its deadline, or nil when none
  /// is outstanding short of it.
  func secondsToNextDeadline(now: Double = MonotonicClock.now()) -> Double? {
    let targets = Array(mountTargets.values) + Array(runtimeTargets.values)
    let deadlines = targets.compactMap { target -> Double? in
      guard target.tracker.stallStartedAt == nil, let running = target.slot.current else {
        return nil
      }
      return running.startedAt + configuration.timeout - now
    }
    return deadlines.min().map { max(0, $0) }
  }

  /// Whether any probe is still outstanding.
  var hasOutstandingProbes: Bool {
    mountTargets.values.contains { $0.slot.current != nil }
      || runtimeTargets.values.contains { $0.slot.current != nil }
  }

  private func refreshMounts() {
    do {
      lastMounts = try MountInfoSource.readMounts(path: configuration.mountInfoPath)
    } catch {
      errors.append("\(error)")
      console.log(.error, "could not read the mount table", ["error": "\(error)"])
      return
    }
    let selector = MountSelector(
      storeRoots: configuration.storeRoots, explicitPaths: configuration.mounts,
      writeProbeDirectories: configuration.writeProbeDirectories,
      discoversMounts: configuration.discoversMounts)
    let selected = selector.select(from: lastMounts)
    syncMountTargets(selected)
  }

  /// Adds targets for new mounts and drops those gone from the table, except targets
  /// whose probe is still outstanding: a hung mount detached with `umount -l` stays
  /// reported until its probe returns.
  private func syncMountTargets(_ selected: [WatchedMount]) {
    let current = Set(selected.map(\.mountPoint))
    for mount in selected {
      if let target = mountTargets[mount.mountPoint] {
        target.subject = .mount(mount)
      } else {
        mountTargets[mount.mountPoint] = ProbeTarget(.mount(mount))
      }
    }
    for (mountPoint, target) in mountTargets where !current.contains(mountPoint) {
      if target.slot.current == nil && target.finding == nil {
        mountTargets[mountPoint] = nil
      }
    }
  }

  func publishMetrics() {
    let text = MetricsRenderer.render(collectMetrics())
    metricsLock.withLock { renderedMetrics = text }
  }
}
