import Foundation
import Testing

@testable import LayersweepKit

/// A containerd root built from the checked-in databases, with snapshot directories laid out
/// by each test.
struct ContainerdRootFixture {
  let base: URL
  var paths = HostPaths()

  init(
    snapshotterDatabase: String = "overlayfs-metadata.db",
    metadataDatabase: String? = "containerd-meta.db"
  ) throws {
    base = FileManager.default.temporaryDirectory
      .appendingPathComponent("layersweep-containerd-\(UUID().uuidString)")
    paths.containerdRoot = base.appendingPathComponent("root").path
    paths.containerdState = base.appendingPathComponent("state").path
    paths.proc = base.appendingPathComponent("proc").path
    try makeDirectory(snapshotsDirectory)
    try makeDirectory(paths.proc)
    try Data().write(to: URL(fileURLWithPath: paths.proc + "/locks"))
    try copyFixture(snapshotterDatabase, to: snapshotterDatabasePath)
    if let metadataDatabase {
      try makeDirectory(paths.containerdRoot + "/io.containerd.metadata.v1.bolt")
      try copyFixture(metadataDatabase, to: metadataDatabasePath)
    }
  }

  var snapshotsDirectory: String {
    paths.containerdRoot + "/io.containerd.snapshotter.v1.overlayfs/snapshots"
  }
  var snapshotterDatabasePath: String {
    paths.containerdRoot + "/io.containerd.snapshotter.v1.overlayfs/metadata.db"
  }
  var metadataDatabasePath: String {
    paths.containerdRoot + "/io.containerd.metadata.v1.bolt/meta.db"
  }

  func makeSnapshotDirectories(_ names: [String]) throws {
    for name in names {
      try makeDirectory(snapshotsDirectory + "/" + name + "/fs")
    }
  }

  func makeDirectory(_ path: String) throws {
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  }

  func copyFixture(_ name: String, to path: String) throws {
    try FileManager.default.copyItem(
      at: try BBoltFixture.bundled(name), to: URL(fileURLWithPath: path))
  }

  /// Marks `path` as locked by `pid` in the fixture's `/proc/locks`, as a running containerd's
  /// `flock` appears there.
  func recordLock(on path: String, pid: Int32) throws {
    var status = stat()
    guard stat(path, &status) == 0 else { throw BBoltError(path: path, message: "stat failed") }
    let device = UInt64(status.st_dev)
    let major = ((device >> 8) & 0xFFF) | ((device >> 32) & ~UInt64(0xFFF))
    let minor = (device & 0xFF) | ((device >> 12) & ~UInt64(0xFF))
    let line = String(
      format: "1: FLOCK  ADVISORY  WRITE %d %02x:%02x:%llu 0 EOF\n", pid, major, minor,
      UInt64(status.st_ino))
    try Data(line.utf8).write(to: URL(fileURLWithPath: paths.proc + "/locks"))
  }

  func audit(measuresBytes: Bool = false) -> StoreAuditResult {
    let context = AuditContext(paths: paths, measuresBytes: measuresBytes)
    return ContainerdStore(paths: paths).audit(host: HostSnapshot(), context: context)
  }

  func remove() {
    try? FileManager.default.removeItem(at: base)
  }
}

/// The findings reduced to what each test compares exactly.
struct FindingSummary: Hashable, CustomStringConvertible {
  var kind: FindingKind
  var id: String
  var path: String?
  var cleanable: Bool

  init(_ kind: FindingKind, _ id: String, _ path: String?, cleanable: Bool) {
    self.kind = kind
    self.id = id
    self.path = path
    self.cleanable = cleanable
  }

  init(_ finding: Finding) {
    self.init(finding.kind, finding.id, finding.path, cleanable: finding.cleanable)
  }

  var description: String { "\(kind.rawValue) \(id) \(path ?? "-") cleanable=\(cleanable)" }
}

@Suite struct ContainerdStoreTests {
  @Test func auditReportsEachKind() throws {
    let root = try ContainerdRootFixture()
    defer { root.remove() }
    try root.makeSnapshotDirectories(["1", "2", "4", "7", "9", "new-3485477614", "rm-6"])
    try Data("x".utf8).write(to: URL(fileURLWithPath: root.snapshotsDirectory + "/notes.txt"))
    let result = root.audit()
    let snapshots = root.snapshotsDirectory
    #expect(result.status.isPresent)
    #expect(result.errors.isEmpty)
    #expect(
      Set(result.findings.map(FindingSummary.init)) == [
        FindingSummary(.orphanedLayer, "9", "\(snapshots)/9", cleanable: true),
        FindingSummary(.orphanedLayer, "notes.txt", "\(snapshots)/notes.txt", cleanable: false),
        FindingSummary(
          .staleRemoval, "new-3485477614", "\(snapshots)/new-3485477614", cleanable: true),
        FindingSummary(.staleRemoval, "rm-6", "\(snapshots)/rm-6", cleanable: true),
        FindingSummary(
          .danglingLayerMetadata, "default/4/unref1", "\(snapshots)/3", cleanable: false),
        FindingSummary(
          .unreferencedLayerChain, "default/4/unref1", "\(snapshots)/3", cleanable: false),
        FindingSummary(
          .unreferencedLayerChain, "default/5/leased1", "\(snapshots)/4", cleanable: false),
      ])
    #expect(result.findings.count == 7)
  }

  @Test func auditUnreferencedEvidence() throws {
    let root = try ContainerdRootFixture()
    defer { root.remove() }
    try root.makeSnapshotDirectories(["1", "2", "3", "4", "7"])
    let finding = try #require(
      root.audit().findings.first { $0.id == "default/5/leased1" })
    #expect(
      finding.evidence == [
        "active snapshot leased1 in namespace default is the snapshot key of no container and "
          + "a resource of no lease",
        "it is labelled containerd.io/gc.root, so containerd's garbage collection keeps it",
      ])
    #expect(finding.nextStep == "If nothing uses it, run `ctr -n default snapshots rm leased1`.")
    #expect(finding.details["snapshot_id"] == "4")
    #expect(finding.details["key"] == "leased1")
  }

  @Test func auditHealthyRootHasNoFindings() throws {
    let root = try ContainerdRootFixture()
    defer { root.remove() }
    try root.makeSnapshotDirectories(["1", "2", "3", "4", "7"])
    let findings = root.audit().findings.filter { $0.kind != .unreferencedLayerChain }
    #expect(findings.isEmpty)
  }

  @Test func auditWhileRunningKeepsFreshDirectories() throws {
    let root = try ContainerdRootFixture()
    defer { root.remove() }
    try root.makeSnapshotDirectories(["1", "2", "3", "4", "7", "9"])
    try root.recordLock(on: root.metadataDatabasePath, pid: 4242)
    let finding = try #require(root.audit().findings.first { $0.id == "9" })
    #expect(finding.kind == .orphanedLayer)
    #expect(finding.cleanable == false)
    #expect(finding.evidence.count == 3)
    #expect(
      finding.evidence[1].hasPrefix("the directory is 0 s old and containerd holds its database"))
    #expect(
      finding.evidence[2]
        == "pid 4242 holds a lock on containerd's database, so containerd is probably running; "
        + "metadata.db was read at transaction 12 without locking")
  }

  @Test func auditMeasuresReclaimableBytes() throws {
    let root = try ContainerdRootFixture()
    defer { root.remove() }
    try root.makeSnapshotDirectories(["1", "2", "3", "4", "7", "9"])
    let file = root.snapshotsDirectory + "/9/fs/data"
    try Data(repeating: 7, count: 64 * 1024).write(to: URL(fileURLWithPath: file))
    let finding = try #require(root.audit(measuresBytes: true).findings.first { $0.id == "9" })
    #expect((finding.reclaimableBytes ?? 0) >= 64 * 1024)
  }

  @Test func auditMissingRootIsNotPresent() throws {
    var paths = HostPaths()
    paths.containerdRoot = "/nonexistent/containerd"
    let result = ContainerdStore(paths: paths).audit(
      host: HostSnapshot(), context: AuditContext(paths: paths))
    #expect(result.status.isPresent == false)
    #expect(result.findings.isEmpty)
    #expect(result.errors.isEmpty)
  }
}

// MARK: - Bad input

@Suite struct ContainerdBadInputTests {
  @Test func auditMalformedSnapshotterDatabase() throws {
    let root = try ContainerdRootFixture()
    defer { root.remove() }
    try root.makeSnapshotDirectories(["9"])
    try Data(repeating: 0, count: 8192).write(
      to: URL(fileURLWithPath: root.snapshotterDatabasePath))
    let result = root.audit()
    #expect(result.findings.isEmpty)
    #expect(result.errors.count == 1)
    #expect(result.errors.first?.path == root.snapshotterDatabasePath)
    #expect(
      result.errors.first?.message.contains("both meta pages are invalid") == true)
  }

  @Test func auditTruncatedMetadataDatabase() throws {
    let root = try ContainerdRootFixture()
    defer { root.remove() }
    try root.makeSnapshotDirectories(["1", "2", "4", "7", "9"])
    #expect(truncate(root.metadataDatabasePath, 3 * 4096) == 0)
    let result = root.audit()
    #expect(result.errors.count == 1)
    #expect(result.errors.first?.path == root.metadataDatabasePath)
    #expect(
      Set(result.findings.map(FindingSummary.init)) == [
        FindingSummary(.orphanedLayer, "9", root.snapshotsDirectory + "/9", cleanable: true),
        FindingSummary(
          .danglingLayerMetadata, "default/4/unref1", root.snapshotsDirectory + "/3",
          cleanable: false),
      ])
  }

  @Test func auditCraftedRecordsBlockCleaning() throws {
    let root = try ContainerdRootFixture(
      snapshotterDatabase: "crafted-metadata.db", metadataDatabase: nil)
    defer { root.remove() }
    try root.makeSnapshotDirectories(["1", "2", "5", "9"])
    let result = root.audit()
    let snapshots = root.snapshotsDirectory
    #expect(
      Set(result.findings.map(FindingSummary.init)) == [
        FindingSummary(.orphanedLayer, "2", "\(snapshots)/2", cleanable: false),
        FindingSummary(.orphanedLayer, "9", "\(snapshots)/9", cleanable: false),
      ])
    let blocker = try #require(result.findings.first?.evidence.dropFirst().first)
    #expect(
      blocker
        == "3 records of metadata.db could not be decoded, so a directory that looks "
        + "unreferenced may belong to one of them")
    #expect(result.errors.map(\.path) == [root.metadataDatabasePath])
  }

  @Test func auditSymlinkedSnapshotIsNotFollowed() throws {
    let root = try ContainerdRootFixture()
    defer { root.remove() }
    try root.makeSnapshotDirectories(["1", "2", "3", "4"])
    try FileManager.default.createSymbolicLink(
      atPath: root.snapshotsDirectory + "/7", withDestinationPath: "/etc")
    let result = root.audit()
    let orphan = try #require(result.findings.first { $0.kind == .orphanedLayer })
    #expect(orphan.id == "7")
    #expect(orphan.cleanable == false)
    #expect(
      result.findings.contains { $0.kind == .danglingLayerMetadata && $0.id == "default/10/c2" })
  }
}
