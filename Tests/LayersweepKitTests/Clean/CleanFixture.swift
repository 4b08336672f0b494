import Foundation

@testable import LayersweepKit

/// A temporary directory for one test, with helpers to build a Docker overlay2 root in it.
/// Releasing it unmounts whatever the test mounted below it, clears immutable flags and
/// removes the tree, so a failing test leaves nothing behind.
final class CleanFixture {
  let directory: String

  init() throws {
    var template = Array("/tmp/layersweep-clean-test.XXXXXX".utf8CString)
    guard let created = mkdtemp(&template) else {
      throw SystemCallError.last("mkdtemp", "/tmp/layersweep-clean-test.XXXXXX")
    }
    directory = String(cString: created)
  }

  deinit {
    let table = (try? MountInfoReader.readHostTable()) ?? []
    let inside = table.map(\.target).filter { $0.hasPrefix(directory + "/") }
    for target in inside.sorted(by: { $0.count > $1.count }) {
      umount2(target, 0)
    }
    _ = try? Self.shell("chattr -R -i \(directory) 2>/dev/null; rm -rf \(directory)")
  }

  var dockerRoot: String { directory + "/docker" }
  var journalPath: String { directory + "/journal.jsonl" }
  var lockPath: String { directory + "/layersweep.lock" }

  /// Makes `path` a directory on ext4, where `chattr +i` works: the temporary directory itself
  /// when it is on ext4 already, else a loop-mounted ext4 image that `deinit` unmounts.
  func mountExt4IfNeeded(at path: String) throws {
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    let filesystem = try Self.shell("stat -f -c %T '\(directory)'")
    guard !filesystem.hasPrefix("ext2/ext3") else { return }
    let image = directory + "/ext4.img"
    try Self.shell(
      "truncate -s 64M '\(image)' && mkfs.ext4 -q -F '\(image)' && mount -o loop '\(image)' '\(path)'"
    )
  }

  /// Writes `contents` to `path`, creating parent directories.
  func write(_ contents: String, to path: String, mode: Int = 0o644) throws {
    try FileManager.default.createDirectory(
      atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    try Data(contents.utf8).write(to: URL(fileURLWithPath: path))
    chmod(path, mode_t(mode))
  }

  /// Creates `overlay2/<id>` with a `diff` tree, a `link` file and its `l/<short-id>` link,
  /// aged two days. Returns the layer path.
  @discardableResult
  func makeLayer(_ id: String, shortID: String, files: [String: String] = ["a/b/file": "x"])
    throws -> String
  {
    let layer = dockerRoot + "/overlay2/" + id
    for (name, contents) in files {
      try write(contents, to: layer + "/diff/" + name)
    }
    try write(shortID, to: layer + "/link")
    try FileManager.default.createDirectory(
      atPath: dockerRoot + "/overlay2/l", withIntermediateDirectories: true)
    try FileManager.default.createSymbolicLink(
      atPath: dockerRoot + "/overlay2/l/" + shortID, withDestinationPath: "../\(id)/diff")
    try makeOld(layer)
    return layer
  }

  /// Sets the modification time of `path` two days back, past any test's minimum age.
  func makeOld(_ path: String) throws {
    var times = [
      timespec(tv_sec: time(nil) - 172_800, tv_nsec: 0),
      timespec(tv_sec: time(nil) - 172_800, tv_nsec: 0),
    ]
    guard utimensat(AT_FDCWD, path, &times, AT_SYMLINK_NOFOLLOW) == 0 else {
      throw SystemCallError.last("utimensat", path)
    }
  }

  /// Returns an orphaned-layer finding for `overlay2/<id>`, as the audit reports it.
  func orphanedLayer(_ id: String, bytes: Int64 = 1) -> Finding {
    Finding(
      kind: .orphanedLayer, store: "docker-overlay2", id: id,
      path: dockerRoot + "/overlay2/" + id, evidence: ["no layerdb cache-id names it"],
      reclaimableBytes: bytes, ageSeconds: 172_800, cleanable: true)
  }

  /// Writes an `audit --json` report holding `findings`, and returns its path.
  func writeReport(_ findings: [Finding]) throws -> String {
    let report = AuditReport(hostname: "test", stores: [], findings: findings, errors: [])
    let encoder = JSONEncoder()
    encoder.dateEncodingStrategy = .iso8601
    let path = directory + "/report.json"
    try encoder.encode(report).write(to: URL(fileURLWithPath: path))
    return path
  }

  /// Lists the paths below `path`, relative and sorted, for before-and-after comparisons.
  func listing(_ path: String) -> [String] {
    let output = (try? Self.shell("cd '\(path)' && find . -mindepth 1 -printf '%P\\n'")) ?? ""
    return output.split(separator: "\n").map(String.init).sorted()
  }

  /// Runs `command` with `/bin/sh -c` and returns its standard output; throws on a nonzero
  /// exit status.
  @discardableResult
  static func shell(_ command: String) throws -> String {
    let result = try ProcessRun.run("/bin/sh", ["-c", command])
    guard result.status == 0 else {
      throw CleanError.unreadableFile(
        path: command, reason: "exit \(result.status): \(result.stderr)")
    }
    return result.stdout
  }
}

/// The outcome of running a program to completion.
struct ProcessRun {
  var status: Int32
  /// Whether the program was killed by a signal; `status` is then the signal number.
  var wasSignaled: Bool
  var stdout: String
  var stderr: String

  static func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:])
    throws -> ProcessRun
  {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    let output = Pipe()
    let errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    process.standardInput = FileHandle.nullDevice
    try process.run()
    let stdout = output.fileHandleForReading.readDataToEndOfFile()
    let stderr = errors.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return ProcessRun(
      status: process.terminationStatus,
      wasSignaled: process.terminationReason == .uncaughtSignal,
      stdout: String(decoding: stdout, as: UTF8.self),
      stderr: String(decoding: stderr, as: UTF8.self))
  }

  /// The built `layersweep` executable, next to the test bundle.
  static var layersweepPath: String {
    let testBinary =
      (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
      ?? CommandLine.arguments[0]
    var directory = (testBinary as NSString).deletingLastPathComponent
    if directory.hasSuffix(".xctest") || directory.hasSuffix("/Contents/MacOS") {
      directory = (directory as NSString).deletingLastPathComponent
    }
    return directory + "/layersweep"
  }
}

/// Docker-shaped names for the fixtures' layers, chains and containers. Clean re-verifies a
/// layer by reading the store as the audit does, and the audit never cleans a directory whose
/// name is not a Docker layer id.
enum LayerID {
  static let orphan = String(repeating: "0a", count: 32)
  static let orphan1 = String(repeating: "1a", count: 32)
  static let orphan2 = String(repeating: "2a", count: 32)
  static let used = String(repeating: "3a", count: 32)
  static let evil = String(repeating: "5a", count: 32)
  static let real = String(repeating: "6a", count: 32)
  static let child = String(repeating: "7a", count: 32)
  static let chain1 = String(repeating: "8a", count: 32)
  static let container1 = String(repeating: "9a", count: 32)
}
