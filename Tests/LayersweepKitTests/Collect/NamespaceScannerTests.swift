import Foundation
import Testing

@testable import LayersweepKit

@Suite struct NamespaceScannerTests {
  static let hostTable = "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
  static let containerTable =
    "30 29 0:40 / / rw - overlay overlay rw,lowerdir=/l1:/l2,upperdir=/u,workdir=/w\n"

  @Test func fakeTreeGroupsByNamespace() throws {
    let tree = try FakeProcTree()
    defer { tree.remove() }
    try tree.addProcess(pid: 1, namespace: 100, mountinfo: Self.hostTable)
    try tree.addProcess(pid: 2, namespace: 100)
    try tree.addProcess(pid: 21, namespace: 200, mountinfo: Self.containerTable)
    try tree.addProcess(pid: 20, namespace: 200)
    try tree.addProcess(pid: 30, namespace: 300)

    var errors: [AuditError] = []
    let processes = try ProcReader(procPath: tree.proc).readProcesses(errors: &errors)
    let namespaces = try NamespaceScanner(procPath: tree.proc)
      .scan(processes: processes, errors: &errors)

    #expect(errors.isEmpty)
    #expect(namespaces.map(\.inode) == [100, 200])
    #expect(namespaces.map(\.isHost) == [true, false])
    #expect(namespaces.map(\.pids) == [[1, 2], [20, 21]])
    #expect(namespaces.first?.mounts.map(\.target) == ["/"])
    #expect(namespaces.last?.mounts.first?.lowerDirs == ["/l1", "/l2"])
  }

  @Test func fakeTreeSelfIsHost() throws {
    let tree = try FakeProcTree()
    defer { tree.remove() }
    let ownTable = "22 1 8:1 / /own rw - ext4 /dev/sda1 rw\n"
    try tree.addProcess(pid: 1, namespace: 100, mountinfo: Self.hostTable)
    try tree.addProcess(pid: 2, namespace: 200, mountinfo: ownTable)
    try FileManager.default.createSymbolicLink(
      atPath: tree.proc + "/self", withDestinationPath: "2")

    var errors: [AuditError] = []
    let processes = try ProcReader(procPath: tree.proc).readProcesses(errors: &errors)
    let namespaces = try NamespaceScanner(procPath: tree.proc)
      .scan(processes: processes, errors: &errors)

    #expect(namespaces.map(\.inode) == [200, 100])
    #expect(namespaces.map(\.isHost) == [true, false])
    #expect(namespaces.first?.mounts.map(\.target) == ["/own"])
  }

  @Test func fakeTreeMalformedTableIsReported() throws {
    let tree = try FakeProcTree()
    defer { tree.remove() }
    try tree.addProcess(pid: 1, namespace: 100, mountinfo: Self.hostTable)
    try tree.addProcess(pid: 5, namespace: 500, mountinfo: Self.hostTable + "garbage\n")

    var errors: [AuditError] = []
    let processes = try ProcReader(procPath: tree.proc).readProcesses(errors: &errors)
    let namespaces = try NamespaceScanner(procPath: tree.proc)
      .scan(processes: processes, errors: &errors)

    #expect(namespaces.map(\.inode) == [100])
    #expect(errors.map(\.path) == [tree.proc + "/5/mountinfo"])
    #expect(
      errors.first?.message.hasPrefix(
        "mount namespace 500: \(tree.proc)/5/mountinfo:2: malformed mountinfo line") == true)
  }

  @Test func fakeTreeWithoutHostThrows() throws {
    let tree = try FakeProcTree()
    defer { tree.remove() }
    try tree.addProcess(pid: 7, namespace: 100, mountinfo: Self.hostTable)

    var errors: [AuditError] = []
    let processes = try ProcReader(procPath: tree.proc).readProcesses(errors: &errors)
    #expect(throws: SystemCallError.self) {
      try NamespaceScanner(procPath: tree.proc).scan(processes: processes, errors: &errors)
    }
  }

  @Test func realHostNamespaceIsFirst() throws {
    var errors: [AuditError] = []
    let processes = try ProcReader().readProcesses(errors: &errors)
    let namespaces = try NamespaceScanner().scan(processes: processes, errors: &errors)
    let host = try #require(namespaces.first)
    #expect(host.isHost)
    #expect(host.pids.contains(getpid()))
    #expect(host.mounts.contains { $0.target == "/" })
    #expect(namespaces.dropFirst().allSatisfy { !$0.isHost })
  }

  @Test func realPrivateNamespaceWithOverlay() throws {
    let scratch = try RealOverlayMount()
    defer { scratch.remove() }
    let holder = try NamespaceHolder()
    defer { holder.stop() }

    var errors: [AuditError] = []
    let processes = try ProcReader().readProcesses(errors: &errors)
    let namespaces = try NamespaceScanner().scan(processes: processes, errors: &errors)
    let namespace = try #require(namespaces.first { $0.pids.contains(holder.pid) })
    #expect(!namespace.isHost)
    #expect(namespace.inode != namespaces.first?.inode)
    let overlay = try #require(namespace.mounts.first { $0.target == scratch.merged })
    #expect(overlay.fsType == "overlay")
    #expect(overlay.lowerDirs == [scratch.lower1, scratch.lower2])
    #expect(overlay.upperDir == scratch.upper)
    #expect(overlay.workDir == scratch.work)
  }
}

/// An overlay mount in a temporary directory, made with mount(2) and removed with umount(2).
struct RealOverlayMount {
  let root: String
  var lower1: String { root + "/lower 1" }
  var lower2: String { root + "/lower2" }
  var upper: String { root + "/upper" }
  var work: String { root + "/work" }
  var merged: String { root + "/merged" }

  init() throws {
    root = try CollectFixtures.makeTemporaryDirectory()
    for directory in [lower1, lower2, upper, work, merged] {
      try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }
    let options = "lowerdir=\(lower1):\(lower2),upperdir=\(upper),workdir=\(work)"
    guard mount("overlay", merged, "overlay", 0, options) == 0 else {
      let error = SystemCallError(call: "mount", path: merged, errno: errno)
      try? FileManager.default.removeItem(atPath: root)
      throw error
    }
  }

  func remove() {
    umount2(merged, 0)
    try? FileManager.default.removeItem(atPath: root)
  }
}

/// A `sleep 600` in a private mount namespace made by `unshare`, stopped by its pid.
final class NamespaceHolder {
  let process = Process()
  var pid: Int32 { process.processIdentifier }

  init() throws {
    process.executableURL = URL(fileURLWithPath: "/usr/bin/unshare")
    process.arguments = ["--mount", "--propagation", "private", "sleep", "600"]
    try process.run()
    try waitForNamespace()
  }

  /// Waits until the child has its own mount namespace and has become `sleep`.
  private func waitForNamespace() throws {
    let ownLink = try FileDescriptor.readLink("/proc/self/ns/mnt", displayPath: "")
    for _ in 0..<500 {
      let link = try? FileDescriptor.readLink("/proc/\(pid)/ns/mnt", displayPath: "")
      let command = try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8)
      if let link, link != ownLink, command == "sleep\n" {
        return
      }
      usleep(10_000)
    }
    stop()
    throw SystemCallError(call: "unshare", path: "/proc/\(pid)/ns/mnt", errno: ETIMEDOUT)
  }

  func stop() {
    if process.isRunning {
      kill(pid, SIGKILL)
    }
    process.waitUntilExit()
  }
}
