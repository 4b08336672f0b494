import Foundation

/// Builds the watch findings, so every output shows the same facts.
enum WatchFindings {
  static func hungFilesystem(
    _ mount: WatchedMount, phase: String, elapsed: Double, timeout: Double, startedAt: Date
  ) -> Finding {
    let evidence = [
      "the \(phase) probe on \(mount.probePath) has not returned after \(Int(elapsed)) s "
        + "(deadline \(format(timeout)) s)",
      "\(mount.fsType) filesystem from \(mount.source) mounted on \(mount.mountPoint)",
    ]
    return Finding(
      kind: .hungFilesystem, store: "mount", id: mount.mountPoint, path: mount.probePath,
      evidence: evidence, ageSeconds: Int64(elapsed),
      nextStep: "Check the device, server or FUSE daemon behind the mount; the watchdog "
        + "reports when the stuck probe returns.",
      details: [
        "mountpoint": mount.mountPoint, "fstype": mount.fsType, "source": mount.source,
        "probe": phase, "stall_seconds": "\(Int(elapsed))",
        "stall_started_at": timestamp(startedAt),
      ])
  }

  static func unresponsiveRuntime(socket: String, reason: String, since: Date) -> Finding {
    Finding(
      kind: .unresponsiveRuntime, store: "docker", id: socket, path: socket,
      evidence: ["GET /_ping on \(socket): \(reason)"],
      ageSeconds: Int64(max(0, Date().timeIntervalSince(since))),
      nextStep: "Check the daemon's state and logs (a stopped or hung dockerd); the watchdog "
        + "reports when it responds again.",
      details: ["runtime": "docker", "socket": socket, "since": timestamp(since)])
  }

  static func kernelReport(_ report: KernelLogReader.HungTaskReport) -> Finding {
    Finding(
      kind: .blockedTask, store: "kernel", id: "\(report.pid)",
      evidence: ["kernel log: \(report.message)"], ageSeconds: Int64(report.blockedSeconds),
      nextStep: "Read the kernel log around this report for the task's stack.",
      details: [
        "pid": "\(report.pid)", "command": report.command,
        "blocked_seconds": "\(report.blockedSeconds)",
      ])
  }

  static func timestamp(_ date: Date) -> String {
    ISO8601DateFormatter().string(from: date)
  }

  static func format(_ seconds: Double) -> String {
    seconds == seconds.rounded() ? "\(Int(seconds))" : "\(seconds)"
  }
}
