import Foundation
import Testing

@testable import LayersweepKit

@Suite struct ProcReaderTests {
  @Test func statCommandWithParentheses() throws {
    let bytes = Array(try CollectFixtures.contents("stat-parentheses").utf8)
    let stat = try #require(ProcStat(parsing: bytes))
    #expect(stat.command == "(a) b)")
    #expect(stat.state == "S")
    #expect(stat.parentPID == 1)
    #expect(stat.startTicks == 987_654)
  }

  @Test(arguments: [
    "", "1234 (sleep S 1", "1234 (sleep) S",
    "1234 (sleep) S x 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5",
    "1234 (sleep) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 notanumber",
  ])
  func statMalformedLine(line: String) {
    #expect(ProcStat(parsing: Array(line.utf8)) == nil)
  }

  @Test func cgroupFileVersion1() throws {
    let lines = try CollectFixtures.contents("cgroup-v1").split(separator: "\n")
    let memberships = lines.compactMap(CgroupMembership.init(parsing:))
    #expect(
      memberships == [
        CgroupMembership(hierarchyID: 12, controllers: ["pids"], path: "/docker/abc"),
        CgroupMembership(hierarchyID: 11, controllers: ["cpu", "cpuacct"], path: "/docker/abc"),
        CgroupMembership(hierarchyID: 1, controllers: ["name=systemd"], path: "/docker/abc"),
      ])
  }

  @Test func cgroupFileVersion2() throws {
    let lines = try CollectFixtures.contents("cgroup-v2").split(separator: "\n")
    let memberships = lines.compactMap(CgroupMembership.init(parsing:))
    #expect(
      memberships == [
        CgroupMembership(hierarchyID: 0, controllers: [], path: "/system.slice/docker-abc.scope")
      ])
  }

  @Test func cgroupFileHybrid() throws {
    let lines = try CollectFixtures.contents("cgroup-hybrid").split(separator: "\n")
    let memberships = lines.compactMap(CgroupMembership.init(parsing:))
    #expect(memberships.count == 4)
    #expect(memberships[1].path == "/user.slice/a:b")
    #expect(
      memberships[3] == CgroupMembership(hierarchyID: 0, controllers: [], path: "/user.slice"))
  }

  @Test(arguments: ["", "x::/a", "0:/a", "0::relative"])
  func cgroupMalformedLine(line: String) {
    #expect(CgroupMembership(parsing: Substring(line)) == nil)
  }

  @Test func namespaceLinkInode() {
    #expect(ProcReader.parseNamespaceLink("mnt:[4026531841]", type: "mnt") == 4_026_531_841)
    #expect(ProcReader.parseNamespaceLink("net:[4026531841]", type: "mnt") == nil)
    #expect(ProcReader.parseNamespaceLink("mnt:[x]", type: "mnt") == nil)
  }

  @Test func fakeTreeProcesses() throws {
    let tree = try FakeProcTree()
    defer { tree.remove() }
    try tree.addProcess(pid: 1, command: "systemd", parentPID: 0, arguments: ["/sbin/init"])
    try tree.addProcess(pid: 42, command: "a b) (c", state: "Z", arguments: [], namespace: nil)
    try FileManager.default.createDirectory(
      atPath: tree.proc + "/sys", withIntermediateDirectories: true)

    var errors: [AuditError] = []
    let processes = try ProcReader(procPath: tree.proc).readProcesses(errors: &errors)
    #expect(errors.isEmpty)
    #expect(processes.keys.sorted() == [1, 42])
    #expect(
      processes[1]
        == HostProcess(
          pid: 1, parentPID: 0, state: "S", command: "systemd", arguments: ["/sbin/init"],
          startTicks: 1000, mountNamespace: 4_026_531_840,
          cgroups: [CgroupMembership(hierarchyID: 0, controllers: [], path: "/user.slice")]))
    #expect(processes[42]?.command == "a b) (c")
    #expect(processes[42]?.state == "Z")
    #expect(processes[42]?.arguments == [])
    #expect(processes[42]?.mountNamespace == nil)
  }

  @Test func fakeTreeArgumentsKeepEmptyOnes() throws {
    let tree = try FakeProcTree()
    defer { tree.remove() }
    try tree.addProcess(pid: 7, arguments: ["sh", "", "-c", "echo a b"])

    var errors: [AuditError] = []
    let processes = try ProcReader(procPath: tree.proc).readProcesses(errors: &errors)
    #expect(processes[7]?.arguments == ["sh", "", "-c", "echo a b"])
  }

  @Test func fakeTreeLongCommandLine() throws {
    let tree = try FakeProcTree()
    defer { tree.remove() }
    let long = String(repeating: "x", count: 20_000)
    try tree.addProcess(pid: 8, arguments: ["java", long, "end"])

    var errors: [AuditError] = []
    let processes = try ProcReader(procPath: tree.proc).readProcesses(errors: &errors)
    #expect(processes[8]?.arguments == ["java", long, "end"])
  }

  @Test func fakeTreeMalformedStat() throws {
    let tree = try FakeProcTree()
    defer { tree.remove() }
    try tree.addProcess(pid: 1)
    try tree.addProcess(pid: 9)
    try CollectFixtures.write("9 (truncated", to: tree.proc + "/9/stat")

    var errors: [AuditError] = []
    let processes = try ProcReader(procPath: tree.proc).readProcesses(errors: &errors)
    #expect(processes.keys.sorted() == [1])
    #expect(
      errors == [
        AuditError(
          store: "proc", path: tree.proc + "/9",
          message: tree.proc
            + "/9/stat:1: malformed stat line; check that the path points at a procfs or "
            + "cgroupfs mount")
      ])
  }

  @Test func fakeTreeMalformedCgroup() throws {
    let tree = try FakeProcTree()
    defer { tree.remove() }
    try tree.addProcess(pid: 5, cgroup: "0::/ok\nbroken\n")

    var errors: [AuditError] = []
    let processes = try ProcReader(procPath: tree.proc).readProcesses(errors: &errors)
    #expect(processes.isEmpty)
    #expect(errors.map(\.path) == [tree.proc + "/5"])
    #expect(
      errors.first?.message.hasPrefix(tree.proc + "/5/cgroup:2: malformed cgroup line") == true)
  }

  @Test func fakeTreeVanishedProcess() throws {
    let tree = try FakeProcTree()
    defer { tree.remove() }
    try tree.addProcess(pid: 3)
    try FileManager.default.removeItem(atPath: tree.proc + "/3/cgroup")

    var errors: [AuditError] = []
    let processes = try ProcReader(procPath: tree.proc).readProcesses(errors: &errors)
    #expect(processes.isEmpty)
    #expect(errors.isEmpty)
  }

  @Test func missingProcRootThrows() throws {
    let path = "/nonexistent-layersweep-proc"
    var errors: [AuditError] = []
    #expect(throws: SystemCallError(call: "opendir", path: path, errno: ENOENT)) {
      try ProcReader(procPath: path).readProcesses(errors: &errors)
    }
  }

  @Test func realProcIncludesSelf() throws {
    var errors: [AuditError] = []
    let processes = try ProcReader().readProcesses(errors: &errors)
    let me = try #require(processes[getpid()])
    #expect(me.parentPID == getppid())
    #expect(me.mountNamespace != nil)
    #expect(processes[1] != nil)
  }
}
