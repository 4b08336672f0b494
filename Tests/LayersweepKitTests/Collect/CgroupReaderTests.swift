import Foundation
import Testing

@testable import LayersweepKit

@Suite struct CgroupReaderTests {
  static func entry(_ target: String, _ fsType: String, _ options: String) -> MountEntry {
    MountEntry(
      mountID: 1, parentID: 1, device: "0:1", root: "/", target: target, fsType: fsType,
      source: fsType, vfsOptions: "rw", fsOptions: options)
  }

  static let hybridMounts = [
    entry("/sys/fs/cgroup", "tmpfs", "rw,mode=755"),
    entry("/sys/fs/cgroup/cpu,cpuacct", "cgroup", "rw,cpu,cpuacct"),
    entry("/sys/fs/cgroup/systemd", "cgroup", "rw,xattr,release_agent=/x,name=systemd"),
    entry("/sys/fs/cgroup/unified", "cgroup2", "rw,nsdelegate"),
    entry("/sys/fs/cgroup/memory", "cgroup", "rw,memory"),
    entry("/mnt/copy/memory", "cgroup", "rw,memory"),
    entry("/sys/fs/cgroup/memory2", "cgroup", "rw,memory"),
  ]

  @Test func hybridHierarchyMounts() {
    let hierarchies = CgroupReader().hierarchyMounts(in: Self.hybridMounts)
    #expect(
      hierarchies == [
        CgroupHierarchy(
          version: 1, mountPoint: "/sys/fs/cgroup/cpu,cpuacct", controllers: ["cpu", "cpuacct"],
          cgroups: []),
        CgroupHierarchy(
          version: 1, mountPoint: "/sys/fs/cgroup/systemd", controllers: ["name=systemd"],
          cgroups: []),
        CgroupHierarchy(
          version: 2, mountPoint: "/sys/fs/cgroup/unified", controllers: [], cgroups: []),
        CgroupHierarchy(
          version: 1, mountPoint: "/sys/fs/cgroup/memory", controllers: ["memory"], cgroups: []),
      ])
  }

  @Test func unifiedHierarchyAtRoot() {
    let mounts = [Self.entry("/sys/fs/cgroup", "cgroup2", "rw,nsdelegate,memory_recursiveprot")]
    let hierarchies = CgroupReader(cgroupRoot: "/sys/fs/cgroup/").hierarchyMounts(in: mounts)
    #expect(hierarchies.map(\.mountPoint) == ["/sys/fs/cgroup"])
    #expect(hierarchies.map(\.version) == [2])
  }

  @Test func controllerCountsHybrid() throws {
    let text = try CollectFixtures.contents("cgroups-hybrid")
    let counts = try CgroupReader.parseControllerCounts(text, path: "/proc/cgroups")
    #expect(counts.count == 5)
    #expect(
      counts[2]
        == CgroupControllerCount(
          controller: "memory", hierarchyID: 4, cgroupCount: 44, isEnabled: true))
    #expect(counts[4].isEnabled == false)
  }

  @Test func controllerCountsMalformed() throws {
    let text = try CollectFixtures.contents("cgroups-malformed")
    #expect(
      throws: ProcFileError(path: "/proc/cgroups", line: 3, reason: "malformed cgroups line")
    ) {
      try CgroupReader.parseControllerCounts(text, path: "/proc/cgroups")
    }
  }

  @Test func dyingDescendantsLine() {
    let text = "nr_descendants 12\nnr_dying_descendants 3\n"
    #expect(CgroupReader.parseDyingDescendants(text) == 3)
    #expect(CgroupReader.parseDyingDescendants("nr_descendants 12\n") == nil)
  }

  @Test func walkListsDirectoriesOnly() throws {
    let root = try CollectFixtures.makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: root) }
    for directory in ["a/b", "c", "outside/d"] {
      try FileManager.default.createDirectory(
        atPath: root + "/tree/" + directory, withIntermediateDirectories: true)
    }
    try FileManager.default.removeItem(atPath: root + "/tree/outside")
    try FileManager.default.createDirectory(
      atPath: root + "/outside/d", withIntermediateDirectories: true)
    try CollectFixtures.write("1\n", to: root + "/tree/a/cgroup.procs")
    try FileManager.default.createSymbolicLink(
      atPath: root + "/tree/link", withDestinationPath: root + "/outside")

    var walker = CgroupWalker(maxDepth: 64)
    #expect(try walker.walk(mountPoint: root + "/tree") == ["/a", "/a/b", "/c"])
    #expect(walker.errors.isEmpty)
  }

  @Test func walkStopsAtDepthLimit() throws {
    let root = try CollectFixtures.makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: root) }
    try FileManager.default.createDirectory(
      atPath: root + "/a/b/c", withIntermediateDirectories: true)

    var walker = CgroupWalker(maxDepth: 2)
    #expect(try walker.walk(mountPoint: root) == ["/a", "/a/b"])
    #expect(
      walker.errors == [
        AuditError(
          store: "cgroup", path: root + "/a/b",
          message: "cgroup tree deeper than 2 levels; cgroups below are not listed")
      ])
  }

  @Test func walkSkipsOtherMounts() throws {
    let root = try CollectFixtures.makeTemporaryDirectory()
    let mountPoint = root + "/m"
    try FileManager.default.createDirectory(
      atPath: mountPoint, withIntermediateDirectories: true)
    try FileManager.default.createDirectory(atPath: root + "/k", withIntermediateDirectories: true)
    try #require(mount("tmpfs", mountPoint, "tmpfs", 0, "size=64k") == 0)
    defer {
      umount2(mountPoint, 0)
      try? FileManager.default.removeItem(atPath: root)
    }
    try FileManager.default.createDirectory(
      atPath: mountPoint + "/inner", withIntermediateDirectories: true)

    var walker = CgroupWalker(maxDepth: 64)
    #expect(try walker.walk(mountPoint: root) == ["/k"])
  }

  @Test func walkMissingMountPointThrows() {
    var walker = CgroupWalker(maxDepth: 64)
    #expect(throws: SystemCallError(call: "openat", path: "/nonexistent-cgroup", errno: ENOENT)) {
      try walker.walk(mountPoint: "/nonexistent-cgroup")
    }
  }

  @Test func realHierarchiesListNewCgroups() throws {
    let name = "layersweep-test-\(UUID().uuidString)"
    let created = ["/sys/fs/cgroup/memory/" + name, "/sys/fs/cgroup/unified/" + name]
    defer {
      for path in created { rmdir(path) }
    }
    for path in created {
      try #require(mkdir(path, 0o755) == 0, "mkdir \(path) failed with errno \(errno)")
    }

    var errors: [AuditError] = []
    let mounts = try MountInfoReader.read(path: "/proc/self/mountinfo")
    let hierarchies = CgroupReader().readHierarchies(mounts: mounts, errors: &errors)
    let memory = try #require(hierarchies.first { $0.controllers == ["memory"] })
    let unified = try #require(hierarchies.first { $0.version == 2 })
    #expect(errors.isEmpty)
    #expect(memory.cgroups.contains("/" + name))
    #expect(unified.cgroups.contains("/" + name))
    #expect(unified.mountPoint == "/sys/fs/cgroup/unified")
    #expect(unified.dyingDescendants != nil)
  }
}
