import Foundation
import Testing

@testable import LayersweepKit

/// Runs `command` with /bin/sh and returns its output; throws when it exits non-zero.
@discardableResult
func shell(_ command: String) throws -> String {
  let process = Process()
  process.executableURL = URL(fileURLWithPath: "/bin/sh")
  process.arguments = ["-c", command]
  let pipe = Pipe()
  process.standardOutput = pipe
  process.standardError = pipe
  try process.run()
  let data = pipe.fileHandleForReading.readDataToEndOfFile()
  process.waitUntilExit()
  let output = String(decoding: data, as: UTF8.self)
  guard process.terminationStatus == 0 else {
    throw FixtureError(message: "'\(command)' exited \(process.terminationStatus): \(output)")
  }
  return output
}

struct FixtureError: Error, CustomStringConvertible {
  var message: String
  var description: String { message }
}

/// Starts `arguments[0]` with the rest as its arguments, standard output and error going to
/// the given files, and returns its pid. The caller stops it by pid.
func startProcess(_ arguments: [String], stdout: String, stderr: String) throws -> Int32 {
  FileManager.default.createFile(atPath: stdout, contents: nil)
  FileManager.default.createFile(atPath: stderr, contents: nil)
  let process = Process()
  process.executableURL = URL(fileURLWithPath: arguments[0])
  process.arguments = Array(arguments.dropFirst())
  process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: stdout))
  process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: stderr))
  try process.run()
  return process.processIdentifier
}

/// Polls `condition` every 100 ms for up to `seconds`; returns whether it became true.
func eventually(seconds: Double = 30, _ condition: () throws -> Bool) rethrows -> Bool {
  let deadline = Date().addingTimeInterval(seconds)
  while Date() < deadline {
    if try condition() { return true }
    usleep(100_000)
  }
  return false
}

/// Returns whether process `pid` has exited (reaped, or a zombie).
func hasExited(_ pid: Int32) -> Bool {
  guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else {
    return true
  }
  return stat.split(separator: ")").last?.dropFirst().first == "Z"
}

/// A private directory under /tmp for one test's kernel objects.
final class FixtureDirectory {
  let path: String

  init() throws {
    var template = Array("/tmp/layersweep-watch-it.XXXXXX".utf8CString)
    guard let result = mkdtemp(&template) else { throw FixtureError(message: "mkdtemp failed") }
    path = String(cString: result)
  }

  /// Unmounts whatever is still mounted below the directory, deepest first, then removes it.
  func remove() {
    let mounts = (try? MountInfoReader.read(path: "/proc/self/mountinfo")) ?? []
    let targets = mounts.map(\.target)
    for target in targets.filter({ $0.hasPrefix(path + "/") }).sorted(by: { $0.count > $1.count }) {
      do {
        try shell("umount -l '\(target)'")
      } catch {
        Issue.record("teardown: \(error)")
      }
    }
    try? FileManager.default.removeItem(atPath: path)
  }
}

/// A 64 MiB ext4 image on a loop device, mounted at `<directory>/mnt`.
final class LoopFilesystem {
  let directory: FixtureDirectory
  let mountPoint: String
  private(set) var loopDevice = ""
  private var isFrozen = false

  init() throws {
    directory = try FixtureDirectory()
    mountPoint = directory.path + "/mnt"
    let image = directory.path + "/ext4.img"
    try shell("truncate -s 64M '\(image)' && mkfs.ext4 -q '\(image)' && mkdir '\(mountPoint)'")
    loopDevice = try shell("losetup -f --show '\(image)'").trimmingCharacters(
      in: .whitespacesAndNewlines)
    try shell("mount '\(loopDevice)' '\(mountPoint)'")
  }

  func freeze() throws {
    try shell("fsfreeze -f '\(mountPoint)'")
    isFrozen = true
  }

  func thaw() {
    if isFrozen { _ = try? shell("fsfreeze -u '\(mountPoint)'") }
    isFrozen = false
  }

  /// Thaws, unmounts, detaches the loop device and removes the directory.
  func teardown() {
    thaw()
    directory.remove()
    if !loopDevice.isEmpty { _ = try? shell("losetup -d '\(loopDevice)'") }
  }
}

/// A watchdog that probes only the given paths, with short deadlines for tests.
func testWatchdog(
  mounts: [String] = [], writeProbes: [String] = [], dockerSockets: [String] = []
) -> Watchdog {
  var configuration = WatchConfiguration()
  configuration.discoversMounts = false
  configuration.mounts = mounts
  configuration.writeProbeDirectories = writeProbes
  configuration.dockerSockets = dockerSockets
  configuration.timeout = 0.5
  configuration.interval = 0.2
  configuration.blockedThreshold = 0.5
  configuration.kernelLogPath = nil
  configuration.listen = nil
  return Watchdog(configuration: configuration, console: Console(out: { _ in }, err: { _ in }))
}

/// Runs rounds every 200 ms until an event matches `predicate` or 30 s pass, and returns
/// every event seen.
func roundsUntil(_ watchdog: Watchdog, _ predicate: (WatchEvent) -> Bool) -> [WatchEvent] {
  var events: [WatchEvent] = []
  _ = eventually {
    events += watchdog.runRound()
    return events.contains(where: predicate)
  }
  return events
}
