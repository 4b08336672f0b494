import Foundation
import Testing

@testable import LayersweepKit

/// Drives the blocked-task scan over a fake /proc tree built in a temporary directory.
@Suite struct BlockedTaskScanTests {
  static let container = String(repeating: "c3", count: 32)

  /// Builds /proc with one task of pid 100 in state D, inside a Docker container, waiting in
  /// `syscall` (whose first argument is `firstArgument`), with fd 3 open on /data/file and
  /// its working directory at `cwd`.
  static func makeProc(syscall: Int, firstArgument: String, cwd: String) throws
    -> TemporaryDirectory
  {
    let directory = try TemporaryDirectory()
    let files: [String: String] = [
      "self/mountinfo":
        "1 0 8:1 / / rw - ext4 /dev/vda rw\n2 1 8:2 / /data rw - ext4 /dev/vdb rw\n",
      "100/task/100/stat": "100 (writer) D 1 100 100 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5555 0 0\n",
      "100/task/100/wchan": "percpu_rwsem_wait",
      "100/task/100/stack": "[<0>] percpu_rwsem_wait+0x37/0x90\n[<0>] mnt_want_write+0x20/0x40\n",
      "100/task/100/syscall": "\(syscall) \(firstArgument) 0x0 0x0 0x0 0x0 0x0 0x7ffd 0x7f00\n",
      "100/cgroup": "0::/system.slice/docker-\(container).scope\n",
      "sys/kernel/hung_task_detect_count": "3\n",
    ]
    let manager = FileManager.default
    for (relative, contents) in files {
      let path = directory.path + "/" + relative
      try manager.createDirectory(
        atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
      try contents.write(toFile: path, atomically: false, encoding: .utf8)
    }
    try manager.createDirectory(
      atPath: directory.path + "/100/fd", withIntermediateDirectories: true)
    try manager.createSymbolicLink(
      atPath: directory.path + "/100/fd/3", withDestinationPath: "/data/file")
    try manager.createSymbolicLink(atPath: directory.path + "/100/cwd", withDestinationPath: cwd)
    return directory
  }

  static func watchdog(
    procRoot: String, console: Console = Console(out: { _ in }, err: { _ in })
  ) -> Watchdog {
    var configuration = WatchConfiguration()
    configuration.procRoot = procRoot
    configuration.discoversMounts = false
    configuration.dockerSockets = []
    configuration.kernelLogPath = nil
    configuration.listen = nil
    return Watchdog(configuration: configuration, console: console)
  }

  @Test func reportsTaskWithDescriptorMount() throws {
    #if arch(x86_64)
      let proc = try Self.makeProc(syscall: 74, firstArgument: "0x3", cwd: "/")
      let watchdog = Self.watchdog(procRoot: proc.path)
      let events = watchdog.runRound(blockedThreshold: 0)

      #expect(events.map(\.event) == [.started])
      let finding = try #require(events.first?.finding)
      #expect(finding.kind == .blockedTask)
      #expect(finding.id == "100/100")
      #expect(finding.path == "/data")
      #expect(finding.details["wchan"] == "percpu_rwsem_wait")
      #expect(finding.details["stack"] == "percpu_rwsem_wait;mnt_want_write")
      #expect(finding.details["container"] == Self.container)
      #expect(finding.details["command"] == "writer")
      #expect(finding.evidence.contains("waits in fsync on fd 3 (/data/file), which is on /data"))
      #expect(watchdog.metricsText.contains("layersweep_kernel_hung_tasks_detected 3\n"))
    #endif
  }

  @Test func workingDirectoryNeedsHungMount() throws {
    #if arch(x86_64)
      let proc = try Self.makeProc(syscall: 257, firstArgument: "0xffffff9c", cwd: "/data/dir")
      let watchdog = Self.watchdog(procRoot: proc.path)
      let finding = try #require(watchdog.runRound(blockedThreshold: 0).first?.finding)
      #expect(finding.path == nil)
      #expect(finding.details["mount"] == nil)
    #endif
  }

  @Test func taskBelowThresholdIsNotReported() throws {
    let proc = try Self.makeProc(syscall: 74, firstArgument: "0x3", cwd: "/")
    let watchdog = Self.watchdog(procRoot: proc.path)
    #expect(watchdog.runRound(blockedThreshold: 3600).isEmpty)
    #expect(watchdog.activeFindings.isEmpty)
  }

  @Test func taskLeavingStateDClears() throws {
    let proc = try Self.makeProc(syscall: 74, firstArgument: "0x3", cwd: "/")
    let watchdog = Self.watchdog(procRoot: proc.path)
    _ = watchdog.runRound(blockedThreshold: 0)
    let stat = "100 (writer) S 1 100 100 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5555 0 0\n"
    try stat.write(toFile: proc.path + "/100/task/100/stat", atomically: false, encoding: .utf8)
    let events = watchdog.runRound(blockedThreshold: 0)
    #expect(events.map(\.event) == [.cleared])
    #expect(events.first?.finding.id == "100/100")
    #expect(watchdog.activeFindings.isEmpty)
  }

  @Test func risingHungTaskCountIsLogged() throws {
    let proc = try Self.makeProc(syscall: 74, firstArgument: "0x3", cwd: "/")
    let log = LogCapture()
    let watchdog = Self.watchdog(procRoot: proc.path, console: log.console)
    _ = watchdog.runRound()
    try "5\n".write(
      toFile: proc.path + "/sys/kernel/hung_task_detect_count", atomically: false, encoding: .utf8)
    _ = watchdog.runRound()
    #expect(log.lines.contains("warning: kernel detected hung tasks new=2 total=5"))
    #expect(watchdog.metricsText.contains("layersweep_kernel_hung_tasks_detected 5\n"))
  }

  @Test func missingMountTableIsAnError() throws {
    let directory = try TemporaryDirectory()
    let watchdog = Self.watchdog(procRoot: directory.path)
    _ = watchdog.runRound()
    #expect(
      watchdog.errors == [
        "\(directory.path)/self/mountinfo: mnt_table_parse_file failed: No such file or "
          + "directory (errno 2); check that the file exists and is readable"
      ])
  }
}

/// A console that keeps every line written to standard error.
final class LogCapture: @unchecked Sendable {
  private let lock = NSLock()
  private var text = ""

  var console: Console {
    Console(out: { _ in }, err: { [self] line in lock.withLock { text += line } })
  }

  var lines: [String] { lock.withLock { text.split(separator: "\n").map(String.init) } }
}
