/// Renders watch metrics in the Prometheus text exposition format (version 0.0.4).
enum MetricsRenderer {
  /// The watch finding kinds, which always get a `layersweep_watch_findings` sample.
  static let watchKinds: [FindingKind] = [.hungFilesystem, .blockedTask, .unresponsiveRuntime]

  static func render(_ metrics: WatchMetrics) -> String {
    var text = ""
    family(&text, "layersweep_watch_rounds_total", "counter", "Watch rounds completed.")
    text += "layersweep_watch_rounds_total \(metrics.rounds)\n"
    family(
      &text, "layersweep_watch_last_round_timestamp_seconds", "gauge",
      "Unix time the last watch round finished.")
    text +=
      "layersweep_watch_last_round_timestamp_seconds \(number(metrics.lastRoundUnixSeconds))\n"
    family(
      &text, "layersweep_watch_outstanding_probes", "gauge",
      "Probes started and not yet returned, stuck ones included.")
    text += "layersweep_watch_outstanding_probes \(metrics.outstandingProbes)\n"
    family(&text, "layersweep_watch_findings", "gauge", "Active watch findings by kind.")
    for kind in watchKinds {
      text += "layersweep_watch_findings{kind=\"\(kind.rawValue)\"} "
      text += "\(metrics.findingsByKind[kind] ?? 0)\n"
    }
    renderMounts(metrics.mounts, into: &text)
    renderTasks(metrics, into: &text)
    renderRuntimes(metrics.runtimes, into: &text)
    return text
  }

  private static func renderMounts(_ mounts: [WatchMetrics.MountState], into text: inout String) {
    family(
      &text, "layersweep_watch_mount_stalled", "gauge",
      "1 while a probe of the mount is past its deadline.")
    for state in mounts {
      text += sample("layersweep_watch_mount_stalled", state, state.isStalled ? "1" : "0")
    }
    family(
      &text, "layersweep_watch_mount_stall_seconds", "gauge",
      "Seconds the stuck probe of the mount has been running, 0 when none is stuck.")
    for state in mounts {
      text += sample("layersweep_watch_mount_stall_seconds", state, number(state.stallSeconds))
    }
    family(
      &text, "layersweep_watch_mount_probe_seconds", "gauge",
      "Duration of the last probe of the mount that returned.")
    for state in mounts {
      guard let seconds = state.lastProbeSeconds else { continue }
      text += sample("layersweep_watch_mount_probe_seconds", state, number(seconds))
    }
    family(
      &text, "layersweep_watch_mount_stalls_total", "counter",
      "Probes of the mount that passed their deadline.")
    for state in mounts {
      text += sample("layersweep_watch_mount_stalls_total", state, "\(state.stallsTotal)")
    }
    family(
      &text, "layersweep_watch_mount_probe_failures_total", "counter",
      "Probes of the mount that returned an error.")
    for state in mounts {
      text += sample(
        "layersweep_watch_mount_probe_failures_total", state, "\(state.probeFailuresTotal)")
    }
  }

  private static func renderTasks(_ metrics: WatchMetrics, into text: inout String) {
    family(
      &text, "layersweep_watch_blocked_task_seconds", "gauge",
      "Seconds a task has been seen in state D, for tasks past the threshold.")
    for finding in metrics.blockedTasks {
      let labels = [
        ("pid", finding.details["pid"] ?? ""), ("tid", finding.details["tid"] ?? ""),
        ("command", finding.details["command"] ?? ""), ("wchan", finding.details["wchan"] ?? ""),
        ("mountpoint", finding.details["mount"] ?? ""),
      ]
      text +=
        "layersweep_watch_blocked_task_seconds\(labelSet(labels)) \(finding.ageSeconds ?? 0)\n"
    }
    family(
      &text, "layersweep_watch_kernel_hung_task_reports_total", "counter",
      "Hung-task reports read from the kernel log since the watchdog started.")
    text += "layersweep_watch_kernel_hung_task_reports_total \(metrics.kernelReportsTotal)\n"
    if let count = metrics.kernelHungTaskDetectCount {
      family(
        &text, "layersweep_kernel_hung_tasks_detected", "gauge",
        "The kernel's count of hung tasks since boot (/proc/sys/kernel/hung_task_detect_count).")
      text += "layersweep_kernel_hung_tasks_detected \(count)\n"
    }
  }

  private static func renderRuntimes(
    _ runtimes: [WatchMetrics.RuntimeState], into text: inout String
  ) {
    family(
      &text, "layersweep_watch_runtime_up", "gauge",
      "1 when the runtime API responded to its last ping within the deadline.")
    for state in runtimes {
      let labels = labelSet([("runtime", state.runtime), ("socket", state.socket)])
      text += "layersweep_watch_runtime_up\(labels) \(state.isResponding ? 1 : 0)\n"
    }
    family(
      &text, "layersweep_watch_runtime_stalls_total", "counter",
      "Runtime pings that passed their deadline.")
    for state in runtimes {
      let labels = labelSet([("runtime", state.runtime), ("socket", state.socket)])
      text += "layersweep_watch_runtime_stalls_total\(labels) \(state.stallsTotal)\n"
    }
  }

  private static func family(_ text: inout String, _ name: String, _ type: String, _ help: String) {
    text += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
  }

  private static func sample(_ name: String, _ state: WatchMetrics.MountState, _ value: String)
    -> String
  {
    let labels = [
      ("mountpoint", state.mount.mountPoint), ("fstype", state.mount.fsType),
      ("device", state.mount.source),
    ]
    return "\(name)\(labelSet(labels)) \(value)\n"
  }

  static func labelSet(_ labels: [(String, String)]) -> String {
    "{" + labels.map { "\($0.0)=\"\(escape($0.1))\"" }.joined(separator: ",") + "}"
  }

  /// Escapes a label value: backslash, double quote and line feed.
  static func escape(_ value: String) -> String {
    value.replacingOccurrences(of: "\\", with: "\\\\")
      .replacingOccurrences(of: "\"", with: "\\\"")
      .replacingOccurrences(of: "\n", with: "\\n")
  }

  static func number(_ value: Double) -> String {
    value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(format3(value))
  }

  private static func format3(_ value: Double) -> String {
    String((value * 1000).rounded() / 1000)
  }
}
