import Foundation
import Testing

@testable import LayersweepKit

/// Clean acting on a real Podman store: orphaned layers go to quarantine under the store's
/// write lock, and nothing Podman uses is touched.
@Suite struct ContainersStorageCleanTests {
  static func executor(_ store: ContainersStorageStore, journal: Journal) -> CleanExecutor {
    let host = HostReverifier(mountRoots: [], cgroupRoot: "/sys/fs/cgroup", proc: "/proc")
    return CleanExecutor(
      remover: FileSystemRemover(), journal: journal, targets: [store], host: host,
      minimumAge: 0)
  }

  /// Copies the image's layer directory to a new id that no layer store records.
  static func makeOrphan(_ sandbox: PodmanSandbox, image: String) throws -> String {
    let layer = try sandbox.layer(ofImage: image)
    let orphan = String(repeating: "ab", count: 32)
    try PodmanSandbox.run(
      "/bin/cp", ["-a", sandbox.driverRoot + "/" + layer, sandbox.driverRoot + "/" + orphan])
    return orphan
  }

  static func plan(_ sandbox: PodmanSandbox) -> CleanPlan {
    var filter = PlanFilter()
    filter.minimumAge = 0
    return CleanPlan.make(
      sandbox.audit().findings, filter: filter, targetStores: ["containers-storage"])
  }

  @Test func orphanQuarantinedPodmanWorks() throws {
    let sandbox = try PodmanSandbox()
    let image = try sandbox.importImage("localhost/busybox:1")
    let orphan = try Self.makeOrphan(sandbox, image: image)
    let store = ContainersStorageStore(paths: sandbox.paths)

    let results = Self.executor(store, journal: try Journal(path: nil)).execute(
      Self.plan(sandbox))

    #expect(results.map(\.item.finding.id) == [orphan])
    #expect(results.map(\.outcome) == [.done])
    #expect(!FileManager.default.fileExists(atPath: sandbox.driverRoot + "/" + orphan))
    let quarantined = Quarantine.list(roots: [sandbox.graphRoot]).map(\.manifest.originalPath)
    #expect(quarantined == [sandbox.driverRoot + "/" + orphan])
    #expect(sandbox.audit().findings == [])
    let container = try sandbox.createContainer("after", image: image)
    #expect(!container.isEmpty)
  }

  @Test func heldLockSkipsOrphan() throws {
    let sandbox = try PodmanSandbox()
    let image = try sandbox.importImage("localhost/busybox:1")
    let orphan = try Self.makeOrphan(sandbox, image: image)
    let plan = Self.plan(sandbox)
    var store = ContainersStorageStore(paths: sandbox.paths)
    store.lockTimeout = 0.5
    let reader = try store.lock(.read, timeout: 5)

    let results = Self.executor(store, journal: try Journal(path: nil)).execute(plan)
    reader.release()

    #expect(results.map(\.outcome) == [.skipped])
    #expect(results.first?.message?.contains("timed out waiting for the lock") == true)
    #expect(FileManager.default.fileExists(atPath: sandbox.driverRoot + "/" + orphan))
  }

  @Test func incompleteLayerNotCleaned() throws {
    let sandbox = try PodmanSandbox()
    let image = try sandbox.importImage("localhost/busybox:1")
    let layer = try sandbox.layer(ofImage: image)
    let store = ContainersStorageStore(paths: sandbox.paths)
    let finding = Finding(
      kind: .staleRemoval, store: store.name, id: layer, path: sandbox.driverRoot + "/" + layer,
      ageSeconds: 7_200, cleanable: true)
    var filter = PlanFilter()
    filter.minimumAge = 0

    let results = Self.executor(store, journal: try Journal(path: nil)).execute(
      CleanPlan.make([finding], filter: filter))

    #expect(results.map(\.outcome) == [.skipped])
    #expect(
      results.first?.message == "stale-removal findings are not cleaned in containers-storage")
    #expect(FileManager.default.fileExists(atPath: sandbox.driverRoot + "/" + layer))
  }
}
