import CMount
import Foundation

@testable import LayersweepKit

/// A private Podman store in a temporary directory, driven by the real `podman` binary with
/// its own graph root, run root, storage.conf, tmpdir and events file, so tests never touch
/// the host's stores. Unmounts and deletes everything below its directory when released.
final class PodmanSandbox {
  let directory: String
  var graphRoot: String { directory + "/graph" }
  var runRoot: String { directory + "/run" }
  var driverRoot: String { graphRoot + "/overlay" }

  init() throws {
    let template = FileManager.default.temporaryDirectory.path + "/layersweep-podman.XXXXXX"
    var buffer = Array(template.utf8CString)
    guard mkdtemp(&buffer) != nil else { throw SandboxError("mkdtemp failed for \(template)") }
    directory = String(decoding: buffer.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
    let config = """
      [storage]
      driver = "overlay"
      graphroot = "\(directory)/graph"
      runroot = "\(directory)/run"
      """
    try config.write(toFile: directory + "/storage.conf", atomically: true, encoding: .utf8)
  }

  deinit {
    Self.unmountAll(below: directory)
    try? FileManager.default.removeItem(atPath: directory)
  }

  var paths: HostPaths {
    var paths = HostPaths()
    paths.containersGraphRoot = graphRoot
    paths.containersRunRoot = runRoot
    return paths
  }

  /// Runs podman with the sandbox's roots and returns its standard output, trimmed.
  @discardableResult
  func podman(_ arguments: [String]) throws -> String {
    let process = try startPodman(arguments, output: Pipe())
    let output = (process.standardOutput as? Pipe)?.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
      throw SandboxError(
        "podman \(arguments.joined(separator: " ")) exited \(process.terminationStatus)")
    }
    return String(decoding: output ?? Data(), as: UTF8.self)
      .trimmingCharacters(in: .whitespacesAndNewlines)
  }

  /// Starts podman without waiting for it.
  func startPodman(_ arguments: [String], output: Pipe? = nil) throws -> Process {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/podman")
    process.arguments =
      [
        "--root", graphRoot, "--runroot", runRoot, "--storage-driver", "overlay",
        "--cgroup-manager", "cgroupfs", "--events-backend", "file", "--tmpdir", directory + "/tmp",
      ] + arguments
    var environment = ProcessInfo.processInfo.environment
    environment["CONTAINERS_STORAGE_CONF"] = directory + "/storage.conf"
    process.environment = environment
    process.standardOutput = output ?? FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    return process
  }

  /// Writes a tar of a busybox root filesystem, padded with `paddingBytes` of random data
  /// so that importing it takes a while, and returns its path.
  func makeBusyboxTar(named name: String, paddingBytes: Int = 0) throws -> String {
    let rootfs = directory + "/" + name + "-rootfs"
    try FileManager.default.createDirectory(
      atPath: rootfs + "/bin", withIntermediateDirectories: true)
    try FileManager.default.copyItem(atPath: "/bin/busybox", toPath: rootfs + "/bin/busybox")
    for applet in ["sh", "sleep", "ls"] {
      try FileManager.default.createSymbolicLink(
        atPath: rootfs + "/bin/" + applet, withDestinationPath: "busybox")
    }
    if paddingBytes > 0 {
      let random = FileHandle(forReadingAtPath: "/dev/urandom")
      let data = random?.readData(ofLength: paddingBytes) ?? Data()
      try data.write(to: URL(fileURLWithPath: rootfs + "/padding"))
    }
    let tar = directory + "/" + name + ".tar"
    try Self.run("/bin/tar", ["-C", rootfs, "-cf", tar, "."])
    return tar
  }

  /// Imports a busybox image and returns its id.
  @discardableResult
  func importImage(_ reference: String) throws -> String {
    let tar = try makeBusyboxTar(
      named: reference.replacingOccurrences(of: "/", with: "_")
        .replacingOccurrences(of: ":", with: "_"))
    let id = try podman(["import", "--quiet", tar, reference])
    return id.hasPrefix("sha256:") ? String(id.dropFirst("sha256:".count)) : id
  }

  /// Creates a container that never starts and returns its id.
  func createContainer(_ name: String, image: String) throws -> String {
    try podman(["create", "--name", name, "--network", "none", image, "sleep", "1000"])
  }

  /// The read-write layer of a container, from `podman inspect`.
  func layer(ofContainer container: String) throws -> String {
    let merged = try podman(["inspect", "--format", "{{.GraphDriver.Data.UpperDir}}", container])
    return ((merged as NSString).deletingLastPathComponent as NSString).lastPathComponent
  }

  /// The top layer of an image.
  func layer(ofImage image: String) throws -> String {
    let upper = try podman([
      "image", "inspect", "--format", "{{.GraphDriver.Data.UpperDir}}", image,
    ])
    return ((upper as NSString).deletingLastPathComponent as NSString).lastPathComponent
  }

  /// The short link name of a layer.
  func linkName(ofLayer layer: String) throws -> String {
    try String(contentsOfFile: driverRoot + "/" + layer + "/link", encoding: .utf8)
  }

  /// Audits the sandbox's store against the current mount table.
  func audit(now: Date = Date(), minimumAge: TimeInterval = 86_400, lockTimeout: TimeInterval = 10)
    -> StoreAuditResult
  {
    let store = ContainersStorageStore(
      paths: paths, unreferencedMinimumAge: minimumAge, lockTimeout: lockTimeout)
    let host = HostSnapshot(namespaces: [
      MountNamespace(
        inode: 0, pids: [], mounts: MountinfoFile.read("/proc/self/mountinfo"), isHost: true)
    ])
    return store.audit(host: host, context: AuditContext(paths: paths, now: now))
  }

  static func run(_ executable: String, _ arguments: [String]) throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    try process.run()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
      throw SandboxError("\(executable) \(arguments.joined(separator: " ")) failed")
    }
  }

  /// Detaches every mount at or below `directory`, deepest first.
  static func unmountAll(below directory: String) {
    let targets = MountinfoFile.read("/proc/self/mountinfo").map(\.target)
      .filter { $0 == directory || $0.hasPrefix(directory + "/") }
    for target in targets.reversed() {
      umount2(target, Int32(MNT_DETACH))
    }
  }
}

struct SandboxError: Error, CustomStringConvertible {
  var description: String
  init(_ description: String) { self.description = description }
}
