import Foundation
import Testing

@testable import LayersweepKit

/// Audits copies of the checked-in aufs tree in `fixtures/aufs`, because this kernel has no
/// aufs. The copy replaces `@ROOT@` in the mountinfo and sysfs files with its own path.
@Suite struct DockerAufsStoreTests {
  static let baseLayer = "7d9147f98b1e38e34963949afd081c8ece7d35f8f451e85df58279908cb970fc"
  static let orphan = "b430bfc08f35924ea2b4ca15dbc4fe58b775a4474a2b14b97acbfe3e79d02fa9"
  static let leakedLayer = "308e775db632770b703a09019d1dcbddf05a571119dfd87081a0af99c19cf030"
  static let removing = "961308719f950153c55b7c77d3175a2e2d128e1a6b76113cf94afbeabb17f173-removing"
  static let strayMountPoint = "bc98dfb723d346ffe9fd57de36c5314ce890872e590e5ccde85325c6252657cf"
  static let strayLayersFile = "4961533b48a770c5a4aa0d1f053cc46285f4dc11d1d854514012a0c3e0ed7d4f"
  static let deadMount = "e51e2dc39911c732e6fcb1deb2efcb0bcb07bbdfe1d3266d68694111d61f7885"
  /// The layer the half-removed layerdb entry still names.
  static let removingLayer = "9053645412a5148402e259419c85df5534ee308d18fe03495c0f5ca5e7faf1ab"
  static let removingChain =
    "c431f325e92523cbd7fcc674ee96bed9692c04cbe148131761a3c984816f905f-"
    + "1c1c65e8f2de96f1f1dd8a3b574871477a13cc8fbd46b591e988206170735238-removing"

  /// A private copy of `fixtures/aufs`.
  final class FixtureCopy {
    let directory: String
    var docker: String { directory + "/docker" }
    var aufs: String { directory + "/docker/aufs" }

    init() throws {
      let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("fixtures/aufs").path
      directory =
        FileManager.default.temporaryDirectory.path + "/layersweep-aufs-" + UUID().uuidString
      try FileManager.default.copyItem(atPath: source, toPath: directory)
      let files =
        try FileManager.default.subpathsOfDirectory(atPath: directory + "/sys")
        .map { directory + "/sys/" + $0 } + [directory + "/mountinfo"]
      for file in files where !Self.isDirectory(file) {
        let text = try String(contentsOfFile: file, encoding: .utf8)
        try text.replacingOccurrences(of: "@ROOT@", with: directory)
          .write(toFile: file, atomically: true, encoding: .utf8)
      }
    }

    deinit {
      try? FileManager.default.removeItem(atPath: directory)
    }

    private static func isDirectory(_ path: String) -> Bool {
      var flag: ObjCBool = false
      return FileManager.default.fileExists(atPath: path, isDirectory: &flag) && flag.boolValue
    }

    func remove(_ relativePath: String) throws {
      try FileManager.default.removeItem(atPath: directory + "/" + relativePath)
    }

    /// Keeps only the mountinfo lines that contain none of `ids`.
    func dropMounts(of ids: [String]) throws {
      let path = directory + "/mountinfo"
      let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
      let kept = lines.filter { line in !ids.contains { line.contains($0) } }
      try (kept.joined(separator: "\n") + "\n").write(
        toFile: path, atomically: true, encoding: .utf8)
    }

    func audit() -> StoreAuditResult {
      var paths = HostPaths()
      paths.dockerRoot = docker
      paths.aufsSysfsRoot = directory + "/sys/fs/aufs"
      let host = HostSnapshot(namespaces: [
        MountNamespace(
          inode: 1, pids: [1], mounts: MountinfoFile.read(directory + "/mountinfo"), isHost: true)
      ])
      return DockerAufsStore(paths: paths).audit(host: host, context: AuditContext(paths: paths))
    }
  }

  @Test func fixtureTreeFindings() throws {
    let fixture = try FixtureCopy()
    let result = fixture.audit()
    let aufs = fixture.aufs
    #expect(result.errors == [])
    #expect(
      FindingTriple.of(result.findings)
        == FindingTriple.sorted([
          FindingTriple(.orphanedLayer, Self.orphan, aufs + "/diff/" + Self.orphan),
          FindingTriple(.orphanedLayer, Self.leakedLayer, aufs + "/diff/" + Self.leakedLayer),
          FindingTriple(
            .orphanedLayer, Self.strayMountPoint, aufs + "/mnt/" + Self.strayMountPoint),
          FindingTriple(
            .orphanedLayer, Self.strayLayersFile, aufs + "/layers/" + Self.strayLayersFile),
          FindingTriple(.staleRemoval, Self.removing, aufs + "/diff/" + Self.removing),
          FindingTriple(.staleRemoval, Self.removing, aufs + "/mnt/" + Self.removing),
          FindingTriple(
            .staleRemoval, Self.removingChain,
            fixture.docker + "/image/aufs/layerdb/sha256/" + Self.removingChain),
          FindingTriple(.deadMount, Self.deadMount, aufs + "/mnt/" + Self.deadMount),
          FindingTriple(.deadMount, Self.leakedLayer, aufs + "/mnt/" + Self.leakedLayer),
        ]))
  }

  @Test func mountedOrphanIsNotCleanable() throws {
    let fixture = try FixtureCopy()
    let result = fixture.audit()
    let cleanable = result.findings.filter(\.cleanable).map(\.id)
    #expect(!cleanable.contains(Self.leakedLayer))
    #expect(cleanable.contains(Self.orphan))
    let leaked = result.findings.first { $0.kind == .orphanedLayer && $0.id == Self.leakedLayer }
    #expect(
      leaked?.evidence.last == "the aufs mount at \(fixture.aufs)/mnt/\(Self.leakedLayer) uses it")
  }

  @Test func deadMountBranchesComeFromSysfs() throws {
    let fixture = try FixtureCopy()
    let result = fixture.audit()
    let dead = result.findings.first { $0.kind == .deadMount && $0.id == Self.deadMount }
    let diff = fixture.aufs + "/diff/"
    #expect(
      dead?.evidence == [
        "no container's mount-id in image/aufs/layerdb/mounts is \(Self.deadMount)",
        "branch \(diff)\(Self.deadMount) does not exist",
        "branches: \(diff)\(Self.deadMount)=rw:\(diff)\(Self.baseLayer)=ro+wh",
      ])
    #expect(dead?.details["aufs_si"] == "1f0e2d3c4b5a6978")
  }

  @Test func cleanedTreeHasNoFindings() throws {
    let fixture = try FixtureCopy()
    for id in [Self.orphan, Self.leakedLayer, Self.removing, Self.removingLayer] {
      try fixture.remove("docker/aufs/diff/" + id)
    }
    let mountPoints = [
      Self.orphan, Self.leakedLayer, Self.removing, Self.removingLayer, Self.strayMountPoint,
      Self.deadMount,
    ]
    for id in mountPoints {
      try fixture.remove("docker/aufs/mnt/" + id)
    }
    for id in [Self.orphan, Self.leakedLayer, Self.strayLayersFile, Self.removingLayer] {
      try fixture.remove("docker/aufs/layers/" + id)
    }
    try fixture.remove("docker/image/aufs/layerdb/sha256/" + Self.removingChain)
    try fixture.dropMounts(of: [Self.deadMount, Self.leakedLayer])

    let result = fixture.audit()
    #expect(result.errors == [])
    #expect(FindingTriple.of(result.findings) == [])
  }

  @Test func craftedCacheIDBlocksOrphans() throws {
    let fixture = try FixtureCopy()
    let cacheFile =
      fixture.docker
      + "/image/aufs/layerdb/sha256/f2bb4fe6a37945f197d481975c2ebdb6ac619caf4f9fa634574f4a7a6f2eb269/cache-id"
    try "../../../etc".write(toFile: cacheFile, atomically: true, encoding: .utf8)
    let result = fixture.audit()
    #expect(result.errors.map(\.path) == [cacheFile])
    #expect(result.errors.first?.message == #"invalid id "../../../etc""#)
    #expect(result.findings.filter { $0.kind == .orphanedLayer } == [])
  }

  @Test func fifoCacheIDIsRejected() throws {
    let fixture = try FixtureCopy()
    let cacheFile =
      fixture.docker
      + "/image/aufs/layerdb/sha256/f2bb4fe6a37945f197d481975c2ebdb6ac619caf4f9fa634574f4a7a6f2eb269/cache-id"
    try FileManager.default.removeItem(atPath: cacheFile)
    #expect(mkfifo(cacheFile, 0o600) == 0)
    let result = fixture.audit()
    #expect(result.errors.map(\.path) == [cacheFile])
    #expect(
      result.errors.first?.message
        == "not a regular file (a symlink, FIFO or device is rejected); check the file, then rerun")
    #expect(result.findings.filter { $0.kind == .orphanedLayer } == [])
  }

  @Test func missingLayerDatabaseBlocksOrphans() throws {
    let fixture = try FixtureCopy()
    try fixture.remove("docker/image")
    let result = fixture.audit()
    #expect(result.errors.map(\.path) == [fixture.docker + "/image/aufs/layerdb/sha256"])
    #expect(result.findings.filter { $0.kind == .orphanedLayer } == [])
    // The driver deletes its `-removing` directories without consulting the database.
    let cleanable = result.findings.filter(\.cleanable).map(\.id)
    #expect(cleanable == [Self.removing, Self.removing])
  }

  @Test func missingStoreIsAbsent() throws {
    var paths = HostPaths()
    paths.dockerRoot =
      FileManager.default.temporaryDirectory.path + "/layersweep-absent-" + UUID().uuidString
    let result = DockerAufsStore(paths: paths).audit(
      host: HostSnapshot(), context: AuditContext(paths: paths))
    #expect(result.status.isPresent == false)
    #expect(result.findings == [])
  }
}
