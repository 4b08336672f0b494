import Foundation
import Testing

@testable import LayersweepKit

/// Checks which active snapshots count as referenced, on databases written by the test writer
/// in containerd 1.6's layout: a container's `snapshotKey`, a lease's snapshot resource, and
/// neither.
@Suite struct ContainerdReferenceTests {
  @Test func referencesFromContainersAndLeases() throws {
    let root = try ContainerdRootFixture()
    defer { root.remove() }
    try BBoltWriter.write(Self.metadataTree(), to: root.metadataDatabasePath)
    try BBoltWriter.write(Self.snapshotterTree(), to: root.snapshotterDatabasePath)
    try root.makeSnapshotDirectories(["1", "2", "3", "4"])
    let result = root.audit()
    let snapshots = root.snapshotsDirectory
    #expect(result.errors.isEmpty)
    #expect(
      Set(result.findings.map(FindingSummary.init)) == [
        FindingSummary(.unreferencedLayerChain, "default/3/c", "\(snapshots)/3", cleanable: false),
        FindingSummary(.unreferencedLayerChain, "default/4/d", "\(snapshots)/4", cleanable: false),
      ])
    let orphanRecord = try #require(result.findings.first { $0.id == "default/4/d" })
    #expect(
      orphanRecord.evidence == [
        "active snapshot default/4/d has no snapshot in meta.db that names it"
      ])
  }

  /// meta.db: snapshots a, b and c; container `ctr1` uses a; lease `l1` holds b; container
  /// `ctr2` names c but through another snapshotter.
  static func metadataTree() -> BBoltWriter.Bucket {
    var overlayfs = BBoltWriter.Bucket()
    for (index, key) in ["a", "b", "c"].enumerated() {
      var snapshot = BBoltWriter.Bucket()
      snapshot.put("name", Array("default/\(index + 1)/\(key)".utf8))
      overlayfs.put(key, snapshot)
    }
    var snapshots = BBoltWriter.Bucket()
    snapshots.put("overlayfs", overlayfs)

    var containers = BBoltWriter.Bucket()
    containers.put("ctr1", container(snapshotter: "overlayfs", key: "a"))
    containers.put("ctr2", container(snapshotter: "native", key: "c"))

    var leasedSnapshots = BBoltWriter.Bucket()
    leasedSnapshots.put("b", [])
    var leaseResources = BBoltWriter.Bucket()
    leaseResources.put("overlayfs", leasedSnapshots)
    var lease = BBoltWriter.Bucket()
    lease.put("snapshots", leaseResources)
    var leases = BBoltWriter.Bucket()
    leases.put("l1", lease)

    var namespace = BBoltWriter.Bucket()
    namespace.put("snapshots", snapshots)
    namespace.put("containers", containers)
    namespace.put("leases", leases)
    var version = BBoltWriter.Bucket()
    version.put("version", [6])
    version.put("default", namespace)
    var root = BBoltWriter.Bucket()
    root.put("v1", version)
    return root
  }

  static func container(snapshotter: String, key: String) -> BBoltWriter.Bucket {
    var container = BBoltWriter.Bucket()
    container.put("snapshotter", Array(snapshotter.utf8))
    container.put("snapshotKey", Array(key.utf8))
    return container
  }

  /// metadata.db: four active snapshots; `default/4/d` has no meta.db snapshot.
  static func snapshotterTree() -> BBoltWriter.Bucket {
    var snapshots = BBoltWriter.Bucket()
    for (index, key) in ["a", "b", "c", "d"].enumerated() {
      var record = BBoltWriter.Bucket()
      record.put("id", [UInt8(index + 1)])
      record.put("kind", [OverlayfsSnapshotRecord.Kind.active.rawValue])
      snapshots.put("default/\(index + 1)/\(key)", record)
    }
    var version = BBoltWriter.Bucket()
    version.put("snapshots", snapshots)
    var root = BBoltWriter.Bucket()
    root.put("v1", version)
    return root
  }
}

@Suite struct ContainerdDirectoryNameTests {
  @Test func signedNumberIsNotSnapshotID() throws {
    let root = try ContainerdRootFixture()
    defer { root.remove() }
    try root.makeSnapshotDirectories(["1", "2", "3", "4", "7", "+7"])
    let finding = try #require(root.audit().findings.first { $0.id == "+7" })
    #expect(finding.kind == .orphanedLayer)
    #expect(finding.cleanable == false)
    #expect(finding.evidence.first == "+7 is not a snapshot id and no record names it")
  }
}
