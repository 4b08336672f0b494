import Foundation
import Testing

@testable import LayersweepKit

/// Clean on copies of the checked-in aufs tree, with the copy's mountinfo file as the mount
/// table.
@Suite struct DockerAufsCleanTests {
  typealias Fixture = DockerAufsStoreTests.FixtureCopy
  typealias Names = DockerAufsStoreTests

  static func clean(_ fixture: Fixture) throws -> [ItemResult] {
    var paths = HostPaths()
    paths.dockerRoot = fixture.docker
    paths.aufsSysfsRoot = fixture.directory + "/sys/fs/aufs"
    let store = DockerAufsStore(paths: paths)
    let mounts = MountinfoFile.read(fixture.directory + "/mountinfo")
    var filter = PlanFilter()
    filter.minimumAge = 0
    filter.onlyKinds = [.orphanedLayer, .staleRemoval]
    let plan = CleanPlan.make(fixture.audit().findings, filter: filter, targetStores: [store.name])
    let executor = CleanExecutor(
      remover: FileSystemRemover(), journal: try Journal(path: nil), targets: [store],
      host: HostReverifier(mountRoots: [], cgroupRoot: "/sys/fs/cgroup", proc: "/proc"),
      minimumAge: 0, readMounts: { mounts })
    return executor.execute(plan)
  }

  @Test func cleanQuarantinesUnmountedGarbage() throws {
    let fixture = try Fixture()

    let results = try Self.clean(fixture)

    let aufs = fixture.aufs
    #expect(
      results.filter { $0.outcome == .done }.compactMap(\.item.finding.path).sorted()
        == [
          aufs + "/diff/" + Names.orphan, aufs + "/diff/" + Names.removing,
          aufs + "/layers/" + Names.strayLayersFile, aufs + "/mnt/" + Names.removing,
          aufs + "/mnt/" + Names.strayMountPoint,
          fixture.docker + "/image/aufs/layerdb/sha256/" + Names.removingChain,
        ].sorted())
    #expect(results.filter { $0.outcome != .done }.map(\.message) == [])
    let manifest = Quarantine.list(roots: [fixture.docker]).map(\.manifest).first {
      $0.findingID == Names.orphan
    }
    #expect(
      manifest?.companions == [aufs + "/layers/" + Names.orphan, aufs + "/mnt/" + Names.orphan])
    #expect(FileManager.default.fileExists(atPath: aufs + "/diff/" + Names.leakedLayer))
    #expect(FileManager.default.fileExists(atPath: aufs + "/diff/" + Names.baseLayer))
  }

  @Test func mountedOrphanIsNotPlanned() throws {
    let fixture = try Fixture()
    let leaked = fixture.aufs + "/diff/" + Names.leakedLayer

    let results = try Self.clean(fixture)

    #expect(!results.contains { $0.item.finding.path == leaked })
    #expect(FileManager.default.fileExists(atPath: leaked))
  }
}
