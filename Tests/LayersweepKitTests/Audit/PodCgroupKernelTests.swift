import Foundation
import Testing

@testable import LayersweepKit

#if canImport(Glibc)
  import Glibc
#endif

/// Pod cgroups created in the real kernel below a parent unique to the test, in the v1 `pids`
/// hierarchy and the v2 hierarchy at `/sys/fs/cgroup/unified`. A real `Auditor` judges them
/// while a fake kubelet runs: a copy of `sleep` named `kubelet`.
@Suite(.serialized) struct PodCgroupKernelTests {
  static let hierarchies = ["/sys/fs/cgroup/pids", "/sys/fs/cgroup/unified"]
  static let leakedUID = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
  static let keptUID = "11111111-2222-4333-8444-555555555555"
  static let busyUID = "5f0c2d8e9a7b6c5d4e3f2a1b0c9d8e7f"

  static var canCreateCgroups: Bool {
    getuid() == 0 && hierarchies.allSatisfy { access($0 + "/cgroup.procs", W_OK) == 0 }
  }

  @Test(.enabled(if: canCreateCgroups)) func leakedPodsWhileKubeletRuns() throws {
    let scratch = try TemporaryDirectory()
    let tree = KernelCgroupTree(hierarchies: Self.hierarchies)
    var processes = StartedProcesses()
    defer {
      processes.killAll()
      tree.removeAll()
    }

    let parent = "/layersweep-test-" + UUID().uuidString.prefix(8).lowercased()
    let leaked = parent + "/kubepods/burstable/pod" + Self.leakedUID
    let kept = parent + "/kubepods/burstable/pod" + Self.keptUID
    let busy = parent + "/kubepods/besteffort/pod" + Self.busyUID
    for path in [leaked, kept, busy] { try tree.create(path) }

    let kubeletRoot = scratch.path + "/kubelet"
    try FileManager.default.createDirectory(
      atPath: "\(kubeletRoot)/pods/\(Self.keptUID)/volumes", withIntermediateDirectories: true)
    let binaries = scratch.path + "/bin"
    try FileManager.default.createDirectory(atPath: binaries, withIntermediateDirectories: true)
    let kubelet = try processes.startSleep(named: "kubelet", in: binaries)
    let member = try processes.startSleep(named: "sleep", in: binaries)
    try tree.move(member, into: busy, hierarchy: Self.hierarchies[0])

    let findings = try Self.audit(kubeletRoot: kubeletRoot, parent: parent)
    #expect(findings.map(\.id) == [busy, busy, leaked, leaked])
    #expect(
      findings.map(\.path) == [
        "/sys/fs/cgroup/pids" + busy, "/sys/fs/cgroup/unified" + busy,
        "/sys/fs/cgroup/pids" + leaked, "/sys/fs/cgroup/unified" + leaked,
      ])
    #expect(findings.map(\.cleanable) == [false, true, true, true])
    #expect(findings.map { $0.details["pids"] } == ["\(member)", "", "", ""])
    #expect(findings.map { $0.details["hierarchy"] } == ["pids", "unified", "pids", "unified"])
    #expect(
      findings.map { $0.details["pod_uid"] }
        == [Self.busyUID, Self.busyUID, Self.leakedUID, Self.leakedUID])
    #expect(
      findings.map { $0.details["qos_class"] }
        == ["besteffort", "besteffort", "burstable", "burstable"])
    for finding in findings {
      let uid = finding.details["pod_uid"] ?? ""
      #expect(finding.evidence[1] == "pod directory \(kubeletRoot)/pods/\(uid) does not exist")
      #expect(finding.evidence[2] == "kubelet runs as pid \(kubelet)")
    }

    processes.kill(kubelet)
    #expect(try Self.audit(kubeletRoot: kubeletRoot, parent: parent).isEmpty)
  }

  /// Runs the auditor over the real host with only kubelet's pods directory as a store and
  /// returns the `leaked-cgroup` findings below `parent`.
  static func audit(kubeletRoot: String, parent: String) throws -> [Finding] {
    var paths = HostPaths()
    paths.kubeletRoot = kubeletRoot
    let auditor = Auditor(
      context: AuditContext(paths: paths), adapters: [KubeletPodStore(paths: paths)],
      hostname: "node-1")
    let report = auditor.run()
    let kubeletErrors = report.errors.filter { $0.store == "kubelet" || $0.store == "host" }
    #expect(kubeletErrors.isEmpty)
    return report.findings.filter { $0.kind == .leakedCgroup && $0.id.hasPrefix(parent + "/") }
  }
}

/// Cgroup directories created by a test in several hierarchies, removed leaf first.
final class KernelCgroupTree {
  let hierarchies: [String]
  /// Every directory created, relative to each hierarchy, in creation order.
  private(set) var created: [String] = []

  init(hierarchies: [String]) {
    self.hierarchies = hierarchies
  }

  /// Creates `path` and its missing ancestors in every hierarchy.
  func create(_ path: String) throws {
    var prefix = ""
    for component in path.split(separator: "/") {
      prefix += "/" + component
      if created.contains(prefix) { continue }
      for hierarchy in hierarchies {
        guard mkdir(hierarchy + prefix, 0o755) == 0 || errno == EEXIST else {
          throw SystemCallError(call: "mkdir", path: hierarchy + prefix, errno: errno)
        }
      }
      created.append(prefix)
    }
  }

  /// Moves process `pid` into cgroup `path` of `hierarchy`.
  func move(_ pid: Int32, into path: String, hierarchy: String) throws {
    try "\(pid)\n".write(
      toFile: hierarchy + path + "/cgroup.procs", atomically: false, encoding: .utf8)
  }

  /// Removes every created directory, deepest first. Processes must have exited.
  func removeAll() {
    for path in created.reversed() {
      for hierarchy in hierarchies where rmdir(hierarchy + path) != 0 && errno != ENOENT {
        Issue.record("rmdir \(hierarchy + path) failed: \(String(cString: strerror(errno)))")
      }
    }
    created = []
  }
}

/// Processes a test started, killed by pid and reaped.
struct StartedProcesses {
  private var running: [Int32: Process] = [:]

  /// Starts `sleep 600` from a copy of `/bin/sleep` named `name` in `directory`, so its
  /// command name (`comm`) is `name`, and returns its pid.
  mutating func startSleep(named name: String, in directory: String) throws -> Int32 {
    let binary = directory + "/" + name
    if !FileManager.default.fileExists(atPath: binary) {
      try FileManager.default.copyItem(atPath: "/bin/sleep", toPath: binary)
    }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: binary)
    process.arguments = ["600"]
    try process.run()
    running[process.processIdentifier] = process
    return process.processIdentifier
  }

  /// Sends SIGKILL to `pid` and waits until it is reaped.
  mutating func kill(_ pid: Int32) {
    guard let process = running.removeValue(forKey: pid) else { return }
    _ = Glibc.kill(pid, SIGKILL)
    process.waitUntilExit()
  }

  mutating func killAll() {
    for pid in running.keys.sorted() { kill(pid) }
  }
}
