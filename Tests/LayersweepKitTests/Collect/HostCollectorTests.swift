import Foundation
import Testing

@testable import LayersweepKit

@Suite struct HostCollectorTests {
  @Test func fakeTreeSnapshot() throws {
    let tree = try FakeProcTree()
    defer { tree.remove() }
    let cgroupRoot = tree.root + "/cgroup"
    for directory in ["unified/system.slice/docker-abc.scope", "memory/docker/abc"] {
      try FileManager.default.createDirectory(
        atPath: cgroupRoot + "/" + directory, withIntermediateDirectories: true)
    }
    try CollectFixtures.write(
      "nr_descendants 2\nnr_dying_descendants 7\n", to: cgroupRoot + "/unified/cgroup.stat")
    let table = """
      22 1 8:1 / / rw - ext4 /dev/sda1 rw
      30 22 0:26 / \(cgroupRoot)/unified rw - cgroup2 cgroup2 rw,nsdelegate
      31 22 0:27 / \(cgroupRoot)/memory rw - cgroup cgroup rw,memory

      """
    try tree.addProcess(pid: 1, namespace: 100, mountinfo: table)
    try CollectFixtures.write(
      "cpu  1 2 3\nbtime 1764800000\nprocesses 9\n", to: tree.proc + "/stat")
    try CollectFixtures.write(
      try CollectFixtures.contents("cgroups-hybrid"), to: tree.proc + "/cgroups")

    var paths = HostPaths()
    paths.proc = tree.proc
    paths.cgroupRoot = cgroupRoot
    let snapshot = try HostCollector.collect(paths: paths)

    #expect(snapshot.errors.isEmpty)
    #expect(snapshot.processes.keys.sorted() == [1])
    #expect(snapshot.namespaces.map(\.inode) == [100])
    #expect(snapshot.hostMounts.count == 3)
    #expect(snapshot.bootTime == 1_764_800_000)
    #expect(snapshot.clockTicksPerSecond == UInt64(sysconf(Int32(_SC_CLK_TCK))))
    #expect(snapshot.cgroupCounts.count == 5)
    #expect(
      snapshot.cgroupHierarchies == [
        CgroupHierarchy(
          version: 2, mountPoint: cgroupRoot + "/unified", controllers: [],
          cgroups: ["/system.slice", "/system.slice/docker-abc.scope"], dyingDescendants: 7),
        CgroupHierarchy(
          version: 1, mountPoint: cgroupRoot + "/memory", controllers: ["memory"],
          cgroups: ["/docker", "/docker/abc"]),
      ])
  }

  @Test func fakeTreeWithoutBootTimeThrows() throws {
    let tree = try FakeProcTree()
    defer { tree.remove() }
    try tree.addProcess(pid: 1, namespace: 100, mountinfo: "22 1 8:1 / / rw - ext4 /dev/sda1 rw\n")
    try CollectFixtures.write("cpu  1 2 3\n", to: tree.proc + "/stat")

    var paths = HostPaths()
    paths.proc = tree.proc
    paths.cgroupRoot = tree.root + "/cgroup"
    #expect(throws: ProcFileError(path: tree.proc + "/stat", reason: "no valid btime line")) {
      try HostCollector.collect(paths: paths)
    }
  }

  @Test func realHostSnapshot() throws {
    let snapshot = try HostCollector.collect(paths: HostPaths())
    #expect(snapshot.namespaces.first?.isHost == true)
    #expect(snapshot.processes[getpid()] != nil)
    #expect(snapshot.bootTime > 0)
    #expect(snapshot.cgroupHierarchies.contains { $0.version == 2 })
    #expect(snapshot.cgroupCounts.contains { $0.controller == "memory" })
  }
}
