import CMount
import Foundation
import Testing

@testable import LayersweepKit

/// A dockerd started on a private data root, exec root and socket under a temporary
/// directory. `stop()` stops it by its pid, unmounts what it left and removes the directory.
final class PrivateDockerDaemon {
  let base: String
  var root: String { base + "/root" }
  var socket: String { base + "/sock" }
  private var process: Process?

  var paths: HostPaths {
    var paths = HostPaths()
    paths.dockerRoot = root
    paths.dockerExecRoot = base + "/exec"
    paths.dockerSocket = socket
    return paths
  }

  static var isAvailable: Bool {
    getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/sbin/dockerd")
      && FileManager.default.isExecutableFile(atPath: "/bin/busybox")
  }

  init() throws {
    var template = Array("/tmp/lsw-dockerd.XXXXXX".utf8CString)
    guard let created = mkdtemp(&template) else { throw FixtureError("mkdtemp failed") }
    base = String(cString: created)
  }

  /// Starts dockerd and waits until `/_ping` succeeds.
  func start() throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/sbin/dockerd")
    process.arguments = [
      "--data-root", root, "--exec-root", base + "/exec", "--pidfile", base + "/pid",
      "-H", "unix://" + socket, "--bridge=none", "--iptables=false",
      "--storage-driver", "overlay2", "--cgroup-parent", "/lsw-test-\(getpid())",
    ]
    process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
    process.standardError = FileHandle(forWritingAtPath: "/dev/null")
    try process.run()
    self.process = process
    for _ in 0..<300 {
      if let ping = try? UnixHTTPClient(socketPath: socket).get("/_ping", timeout: 1),
        ping.statusCode == 200
      {
        return
      }
      usleep(100_000)
    }
    throw FixtureError("dockerd on \(socket) did not respond within 30 seconds")
  }

  /// Runs the docker CLI against this daemon and returns its trimmed standard output.
  @discardableResult
  func docker(_ arguments: [String]) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["docker", "-H", "unix://" + socket] + arguments
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle(forWritingAtPath: "/dev/null")
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    guard process.terminationStatus == 0 else {
      throw FixtureError("docker \(arguments.joined(separator: " ")) failed: \(text)")
    }
    return text
  }

  /// Imports a busybox root filesystem as `tag`.
  func importBusybox(tag: String) throws {
    let rootfs = base + "/rootfs"
    try FileManager.default.createDirectory(
      atPath: rootfs + "/bin", withIntermediateDirectories: true)
    try FileManager.default.copyItem(atPath: "/bin/busybox", toPath: rootfs + "/bin/busybox")
    for applet in ["sh", "echo", "sleep"] {
      try FileManager.default.createSymbolicLink(
        atPath: rootfs + "/bin/" + applet, withDestinationPath: "busybox")
    }
    try run("/bin/tar", ["-C", rootfs, "-cf", base + "/rootfs.tar", "."])
    try docker(["import", base + "/rootfs.tar", tag])
  }

  func run(_ executable: String, _ arguments: [String]) throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    try process.run()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
      throw FixtureError("\(executable) \(arguments.joined(separator: " ")) failed")
    }
  }

  /// Stops the daemon it started, unmounts everything below `base` and removes it.
  func stop() {
    if let process, process.isRunning {
      kill(process.processIdentifier, SIGTERM)
      process.waitUntilExit()
    }
    for target in mountTargets().reversed() {
      umount2(target, Int32(MNT_DETACH))
    }
    try? run("/usr/bin/chattr", ["-R", "-i", root + "/overlay2"])
    try? FileManager.default.removeItem(atPath: base)
  }

  private func mountTargets() -> [String] {
    guard let table = try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8) else {
      return []
    }
    return table.split(separator: "\n").compactMap { line in
      let fields = line.split(separator: " ")
      guard fields.count > 4, fields[4].hasPrefix(base) else { return nil }
      return String(fields[4])
    }
  }

  func audit() -> StoreAuditResult {
    DockerOverlay2Store(paths: paths).audit(
      host: HostSnapshot(), context: AuditContext(paths: paths, apiTimeout: 5))
  }
}

@Suite(.serialized, .enabled(if: PrivateDockerDaemon.isAvailable))
struct DockerOverlay2DaemonTests {
  @Test func realDaemonFailedRemoval() throws {
    let daemon = try PrivateDockerDaemon()
    defer { daemon.stop() }
    try daemon.start()
    try daemon.importBusybox(tag: "lsw/base:1")
    let containerID = try daemon.docker([
      "create", "--network", "none", "lsw/base:1", "sleep", "60",
    ])

    let clean = daemon.audit()
    #expect(clean.status.isRuntimeResponding == true)
    #expect(clean.findings.isEmpty, "\(clean.findingKeys)")
    #expect(clean.errors.isEmpty, "\(clean.errors)")
    #expect(clean.containers.map(\.id) == [containerID])
    #expect(clean.containers.first?.runtimeReportedState == "created")

    // Pin a file in the container's read-write layer so that docker rm fails.
    let upper = try daemon.docker(
      ["inspect", "--format", "{{.GraphDriver.Data.UpperDir}}", containerID])
    try Data("pinned\n".utf8).write(to: URL(fileURLWithPath: upper + "/pinned"))
    try daemon.run("/usr/bin/chattr", ["+i", upper + "/pinned"])
    #expect(throws: FixtureError.self) { try daemon.docker(["rm", containerID]) }

    let result = daemon.audit()
    #expect(
      result.findingKeys == [
        FindingKey(
          .orphanedContainer, containerID, daemon.root + "/containers/\(containerID)",
          cleanable: false)
      ])
    #expect(result.containers.first?.recordedState == .dead)
  }

  @Test func realDaemonFailedImageRemoval() throws {
    let daemon = try PrivateDockerDaemon()
    defer { daemon.stop() }
    try daemon.start()
    try daemon.importBusybox(tag: "lsw/base:1")

    // Make a file of the image's only layer immutable so that docker rmi fails midway.
    let upper = try daemon.docker(
      ["image", "inspect", "--format", "{{.GraphDriver.Data.UpperDir}}", "lsw/base:1"])
    let layerID = ((upper as NSString).deletingLastPathComponent as NSString).lastPathComponent
    try daemon.run("/usr/bin/chattr", ["+i", upper + "/bin/busybox"])
    #expect(throws: FixtureError.self) { try daemon.docker(["rmi", "lsw/base:1"]) }

    let result = daemon.audit()
    let finding = try #require(result.findings.first)
    #expect(result.findings.count == 1, "\(result.findingKeys)")
    #expect(finding.kind == .staleRemoval)
    #expect(finding.id.hasSuffix("-removing"))
    #expect(finding.path == daemon.root + "/image/overlay2/layerdb/sha256/" + finding.id)
    #expect(finding.cleanable)
    #expect(finding.details["layer_id"] == layerID)
  }
}
