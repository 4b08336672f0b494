import Foundation

@testable import LayersweepKit

/// A containerd started by a test with its own config, root, state and socket under a
/// temporary directory, so it shares nothing with a containerd the host may run.
final class ContainerdDaemon {
  /// Whether this host can run the live tests: root, and containerd, ctr and busybox
  /// installed.
  static var isAvailable: Bool {
    getuid() == 0
      && ["/usr/bin/containerd", "/usr/bin/ctr", "/bin/busybox"].allSatisfy {
        FileManager.default.isExecutableFile(atPath: $0)
      }
  }

  let base: String
  var paths = HostPaths()
  private(set) var process: Process?

  var socket: String { base + "/containerd.sock" }
  var snapshotsDirectory: String {
    paths.containerdRoot + "/io.containerd.snapshotter.v1.overlayfs/snapshots"
  }

  init() throws {
    base = "/tmp/lsw-ctd-" + UUID().uuidString.prefix(8).lowercased()
    paths.containerdRoot = base + "/root"
    paths.containerdState = base + "/state"
    try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
    let config = """
      version = 2
      root = "\(paths.containerdRoot)"
      state = "\(paths.containerdState)"
      disabled_plugins = ["io.containerd.grpc.v1.cri"]
      [grpc]
        address = "\(socket)"
      [ttrpc]
        address = "\(socket).ttrpc"
      [debug]
        address = ""
      [metrics]
        address = ""
      """
    try config.write(toFile: base + "/config.toml", atomically: true, encoding: .utf8)
  }

  /// Starts containerd and waits up to 20 s for its socket.
  func start() throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/containerd")
    process.arguments = ["--config", base + "/config.toml"]
    FileManager.default.createFile(atPath: base + "/containerd.log", contents: nil)
    let log = FileHandle(forWritingAtPath: base + "/containerd.log")
    process.standardOutput = log
    process.standardError = log
    try process.run()
    self.process = process
    for _ in 0..<200 where !FileManager.default.fileExists(atPath: socket) {
      usleep(100_000)
    }
    _ = try ctr(["version"])
  }

  /// Runs `ctr` against this daemon and returns its standard output; throws when it fails or
  /// takes longer than `timeout` seconds.
  @discardableResult
  func ctr(_ arguments: [String], timeout: TimeInterval = 60) throws -> String {
    try CommandRunner.run("/usr/bin/ctr", ["-a", socket] + arguments, timeout: timeout)
  }

  /// Sends SIGKILL to containerd and waits for it to exit.
  func kill() {
    guard let process, process.isRunning else { return }
    Foundation.kill(process.processIdentifier, SIGKILL)
    process.waitUntilExit()
  }

  /// Stops containerd, ends the shims it started for this root, unmounts what is left under
  /// the base directory and removes it.
  func tearDown() {
    if let process, process.isRunning {
      process.terminate()
      for _ in 0..<50 where process.isRunning { usleep(100_000) }
      kill()
    }
    for pid in processesMentioning(base) {
      Foundation.kill(pid, SIGKILL)
    }
    for mountPoint in mountPoints(under: base).reversed() {
      umount2(mountPoint, Int32(MNT_DETACH))
    }
    try? FileManager.default.removeItem(atPath: base)
  }

  /// Returns the pids whose command line contains `text`, which are the shims this daemon
  /// started and which outlive it.
  private func processesMentioning(_ text: String) -> [Int32] {
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    return entries.compactMap { entry in
      guard let pid = Int32(entry), pid != getpid(),
        let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline")
      else { return nil }
      return String(decoding: data, as: UTF8.self).contains(text) ? pid : nil
    }
  }

  private func mountPoints(under directory: String) -> [String] {
    let table = (try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)) ?? ""
    return table.split(separator: "\n").compactMap { line in
      let fields = line.split(separator: " ")
      guard fields.count > 4, fields[4].hasPrefix(directory) else { return nil }
      return String(fields[4])
    }
  }
}

/// Runs a program with a deadline and collects its output.
enum CommandRunner {
  struct Failure: Error, CustomStringConvertible {
    var description: String
  }

  @discardableResult
  static func run(_ program: String, _ arguments: [String], timeout: TimeInterval = 60) throws
    -> String
  {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: program)
    process.arguments = arguments
    let output = FileManager.default.temporaryDirectory
      .appendingPathComponent("lsw-output-\(UUID().uuidString)")
    FileManager.default.createFile(atPath: output.path, contents: nil)
    defer { try? FileManager.default.removeItem(at: output) }
    let handle = try FileHandle(forWritingTo: output)
    process.standardOutput = handle
    process.standardError = handle
    try process.run()
    let deadline = Date().addingTimeInterval(timeout)
    while process.isRunning && Date() < deadline { usleep(20_000) }
    if process.isRunning {
      process.terminate()
      process.waitUntilExit()
      throw Failure(description: "\(program) \(arguments) timed out after \(timeout) s")
    }
    let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
    guard process.terminationStatus == 0 else {
      throw Failure(description: "\(program) \(arguments) failed: \(text)")
    }
    return text
  }
}
