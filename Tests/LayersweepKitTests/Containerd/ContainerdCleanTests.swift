import Foundation
import Testing

@testable import LayersweepKit

/// Clean acting on a real containerd's overlayfs snapshotter: snapshot directories no record
/// names go to quarantine while containerd is stopped and are left alone while it runs.
@Suite(
  .serialized, .enabled(if: ContainerdDaemon.isAvailable, "needs root, containerd, ctr and busybox")
)
struct ContainerdCleanTests {
  /// Creates `snapshots/9999` with content, aged two hours, that no record names.
  static func makeOrphan(_ daemon: ContainerdDaemon) throws -> String {
    let path = daemon.snapshotsDirectory + "/9999"
    try FileManager.default.createDirectory(
      atPath: path + "/fs/etc", withIntermediateDirectories: true)
    try "orphan\n".write(toFile: path + "/fs/etc/file", atomically: false, encoding: .utf8)
    var times = [
      timespec(tv_sec: time(nil) - 7_200, tv_nsec: 0),
      timespec(tv_sec: time(nil) - 7_200, tv_nsec: 0),
    ]
    #expect(utimensat(AT_FDCWD, path, &times, AT_SYMLINK_NOFOLLOW) == 0)
    return path
  }

  /// Starts a containerd and imports `layersweep/busybox:clean`, which creates the
  /// snapshotter's database.
  static func startWithImage() throws -> ContainerdDaemon {
    let daemon = try ContainerdDaemon()
    do {
      try daemon.start()
      let image = try DockerArchiveImage.write(in: daemon.base, tag: "layersweep/busybox:clean")
      try daemon.ctr(["images", "import", image])
    } catch {
      daemon.tearDown()
      throw error
    }
    return daemon
  }

  static func clean(_ daemon: ContainerdDaemon) throws -> [ItemResult] {
    let store = ContainerdStore(paths: daemon.paths)
    let host = HostSnapshot(namespaces: [
      MountNamespace(
        inode: 0, pids: [], mounts: MountinfoFile.read("/proc/self/mountinfo"), isHost: true)
    ])
    let result = store.audit(host: host, context: AuditContext(paths: daemon.paths))
    let plan = CleanPlan.make(result.findings, filter: PlanFilter(), targetStores: [store.name])
    let executor = CleanExecutor(
      remover: FileSystemRemover(), journal: try Journal(path: nil), targets: [store],
      host: HostReverifier(mountRoots: [], cgroupRoot: "/sys/fs/cgroup", proc: "/proc"),
      minimumAge: 3_600)
    return executor.execute(plan)
  }

  @Test func orphanCleanedWhileStopped() throws {
    let daemon = try Self.startWithImage()
    defer { daemon.tearDown() }
    let orphan = try Self.makeOrphan(daemon)
    daemon.kill()

    let results = try Self.clean(daemon)

    #expect(results.map(\.item.finding.path) == [orphan])
    #expect(results.map(\.outcome) == [.done])
    #expect(!FileManager.default.fileExists(atPath: orphan))
    // The killed daemon left its socket, which start() would take for the new one.
    try FileManager.default.removeItem(atPath: daemon.socket)
    try daemon.start()
    let images = try daemon.ctr(["images", "ls", "--quiet"])
    #expect(images.split(separator: "\n").contains("docker.io/layersweep/busybox:clean"))
    try daemon.ctr([
      "run", "--rm", "docker.io/layersweep/busybox:clean", "c1", "/bin/sh", "-c", "exit 0",
    ])
  }

  @Test func orphanLeftWhileRunning() throws {
    let daemon = try Self.startWithImage()
    defer { daemon.tearDown() }
    let orphan = try Self.makeOrphan(daemon)

    let results = try Self.clean(daemon)

    #expect(results.map(\.outcome) == [.skipped])
    #expect(results.first?.message?.contains("is locked: containerd is running") == true)
    #expect(FileManager.default.fileExists(atPath: orphan + "/fs/etc/file"))
  }
}
