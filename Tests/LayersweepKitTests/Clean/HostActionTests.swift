import Foundation
import Testing

@testable import LayersweepKit

/// Actions on kernel objects the tests create: a mount held in another mount namespace and
/// cgroups in the v1 `pids` hierarchy.
@Suite(.serialized) struct HostActionTests {
  /// Starts `sleep` in a new mount namespace where a tmpfs is mounted at `target`, and
  /// returns it once the mount is visible in its mountinfo.
  static func startHolder(mounting target: String) throws -> Process {
    let holder = Process()
    holder.executableURL = URL(fileURLWithPath: "/usr/bin/unshare")
    holder.arguments = [
      "--mount", "--propagation", "private", "/bin/sh", "-c",
      "mount -t tmpfs leaked '\(target)' && exec sleep 600",
    ]
    try holder.run()
    for _ in 0..<200 {
      // Polls for up to 10 seconds; no result depends on how long this takes.
      let table = try? MountInfoReader.readTable(
        path: "/proc/\(holder.processIdentifier)/mountinfo")
      if table?.contains(where: { $0.target == target }) == true { return holder }
      usleep(50_000)
    }
    stop(holder)
    throw CleanError.unreadableFile(path: target, reason: "the holder never mounted it")
  }

  /// Kills a process this test started. SIGKILL, because the test runner's ignored SIGTERM is
  /// inherited by its children.
  static func stop(_ process: Process) {
    kill(process.processIdentifier, SIGKILL)
    process.waitUntilExit()
  }

  @Test func leakedMountIsReleasedInHolderNamespace() throws {
    let fixture = try CleanFixture()
    let target = fixture.dockerRoot + "/overlay2/layer/merged"
    try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
    let holder = try Self.startHolder(mounting: target)
    defer { Self.stop(holder) }
    let pid = holder.processIdentifier
    let finding = Finding(
      kind: .leakedMount, store: "docker-overlay2", id: "layer", path: target, cleanable: true,
      details: ["holder_pids": "\(pid)"])
    var filter = PlanFilter()
    filter.releasesLeakedMounts = true

    let results = CleanExecutorTests.executor(fixture, journal: try Journal(path: nil))
      .execute(CleanPlan.make([finding], filter: filter))

    #expect(results.map(\.outcome) == [.done])
    let table = try MountInfoReader.readTable(path: "/proc/\(pid)/mountinfo")
    #expect(!table.contains { $0.target == target })
    #expect(holder.isRunning)
  }

  /// A cgroup tree `<name>/docker-1/{a,b/c}` in the v1 pids hierarchy, removed in teardown.
  final class CgroupTree {
    let base: String

    init() throws {
      base = "/sys/fs/cgroup/pids/layersweep-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
      for child in ["docker-1/a", "docker-1/b/c"] {
        try FileManager.default.createDirectory(
          atPath: base + "/" + child, withIntermediateDirectories: true)
      }
    }

    deinit {
      for path in ["docker-1/b/c", "docker-1/b", "docker-1/a", "docker-1", ""] {
        rmdir(base + (path.isEmpty ? "" : "/" + path))
      }
    }
  }

  @Test func emptyLeakedCgroupIsRemovedLeafFirst() throws {
    let fixture = try CleanFixture()
    let cgroups = try CgroupTree()
    let remover = RecordingRemover()
    let finding = Finding(
      kind: .leakedCgroup, store: "cgroup", id: "docker-1", path: cgroups.base + "/docker-1",
      cleanable: true)
    let plan = CleanPlan.make([finding], filter: PlanFilter())

    let dryRun = CleanExecutorTests.executor(
      fixture, remover: remover, journal: try Journal(path: nil), cgroupRoot: "/sys/fs/cgroup"
    ).execute(plan)
    let results = CleanExecutorTests.executor(
      fixture, journal: try Journal(path: nil), cgroupRoot: "/sys/fs/cgroup"
    ).execute(plan)

    #expect(dryRun.map(\.outcome) == [.done])
    #expect(
      remover.actions.map { "\($0)" } == [
        "remove cgroup \(cgroups.base)/docker-1/b/c",
        "remove cgroup \(cgroups.base)/docker-1/b",
        "remove cgroup \(cgroups.base)/docker-1/a",
        "remove cgroup \(cgroups.base)/docker-1",
      ])
    #expect(results.map(\.outcome) == [.done])
    #expect(!FileManager.default.fileExists(atPath: cgroups.base + "/docker-1"))
  }

  @Test func cgroupWithProcessIsSkipped() throws {
    let fixture = try CleanFixture()
    let cgroups = try CgroupTree()
    let sleeper = Process()
    sleeper.executableURL = URL(fileURLWithPath: "/bin/sleep")
    sleeper.arguments = ["600"]
    try sleeper.run()
    defer { Self.stop(sleeper) }
    try "\(sleeper.processIdentifier)\n".write(
      toFile: cgroups.base + "/docker-1/b/c/cgroup.procs", atomically: false, encoding: .utf8)
    let finding = Finding(
      kind: .leakedCgroup, store: "cgroup", id: "docker-1", path: cgroups.base + "/docker-1",
      cleanable: true)

    let results = CleanExecutorTests.executor(
      fixture, journal: try Journal(path: nil), cgroupRoot: "/sys/fs/cgroup"
    ).execute(CleanPlan.make([finding], filter: PlanFilter()))

    #expect(results.map(\.outcome) == [.skipped])
    #expect(results.first?.message == "\(cgroups.base)/docker-1/b/c has processes again")
    #expect(FileManager.default.fileExists(atPath: cgroups.base + "/docker-1/b/c"))
    // Move the process back to the root cgroup so teardown can remove the tree.
    try "\(sleeper.processIdentifier)\n".write(
      toFile: "/sys/fs/cgroup/pids/cgroup.procs", atomically: false, encoding: .utf8)
  }
}
