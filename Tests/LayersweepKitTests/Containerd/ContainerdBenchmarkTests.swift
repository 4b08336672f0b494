import Foundation
import Testing

@testable import LayersweepKit

/// Writes a containerd root with many committed snapshots and times reading it. Runs only
/// when `LAYERSWEEP_BENCH_CONTAINERD_ROOT` names a directory, from
/// `scripts/bench/containerd-bbolt.sh`; it prints times and asserts none.
@Suite(.enabled(if: ContainerdBenchmarkSettings.root != nil))
struct ContainerdBenchmarkTests {
  @Test func benchmarkReadSnapshots() throws {
    let root = try #require(ContainerdBenchmarkSettings.root)
    var paths = HostPaths()
    paths.containerdRoot = root
    let store = ContainerdStore(paths: paths)
    if !FileManager.default.fileExists(atPath: store.snapshotterDatabasePath) {
      try ContainerdBenchRoot.write(store: store, count: ContainerdBenchmarkSettings.count)
    }

    let readStart = Date()
    let database = try BBoltDatabase.open(path: store.snapshotterDatabasePath)
    let records = try OverlayfsSnapshotReader.read(database).records
    let readSeconds = Date().timeIntervalSince(readStart)
    let auditStart = Date()
    let result = store.audit(
      host: HostSnapshot(), context: AuditContext(paths: paths, measuresBytes: false))
    let auditSeconds = Date().timeIntervalSince(auditStart)
    print("bench metadata.db records=\(records.count) read_seconds=\(readSeconds)")
    print(
      "bench audit findings=\(result.findings.count) errors=\(result.errors.count) "
        + "seconds=\(auditSeconds)")
    #expect(records.count == ContainerdBenchmarkSettings.count)
  }
}

/// The benchmark's settings, from the environment.
enum ContainerdBenchmarkSettings {
  static let root = ProcessInfo.processInfo.environment["LAYERSWEEP_BENCH_CONTAINERD_ROOT"]
  static let count =
    ProcessInfo.processInfo.environment["LAYERSWEEP_BENCH_SNAPSHOTS"].flatMap(Int.init) ?? 100_000
}

/// A containerd root of `count` committed snapshots labelled `containerd.io/gc.root` (so
/// containerd's garbage collection keeps them), consistent across meta.db, metadata.db and
/// the `snapshots/` directories, for `ctr snapshots ls` to list.
enum ContainerdBenchRoot {
  /// Go's `time.Time.MarshalBinary` of 2026-01-01T00:00:00Z.
  static let createdAt: [UInt8] =
    [1, 0, 0, 0, 14, 224, 231, 176, 0, 0, 0, 0, 0, 255, 255]

  static func write(store: ContainerdStore, count: Int) throws {
    try FileManager.default.createDirectory(
      atPath: store.root + "/io.containerd.metadata.v1.bolt", withIntermediateDirectories: true)
    for index in 1...count {
      try FileManager.default.createDirectory(
        atPath: store.snapshotsDirectory + "/\(index)/fs", withIntermediateDirectories: true)
    }
    try BBoltWriter.write(metadataTree(count: count), to: store.metadataDatabasePath)
    try BBoltWriter.write(snapshotterTree(count: count), to: store.snapshotterDatabasePath)
  }

  private static func key(_ index: Int) -> String { String(format: "layer-%08d", index) }

  private static func metadataTree(count: Int) -> BBoltWriter.Bucket {
    var overlayfs = BBoltWriter.Bucket()
    for index in 1...count {
      var labels = BBoltWriter.Bucket()
      labels.put("containerd.io/gc.root", Array("2026-01-01T00:00:00Z".utf8))
      var snapshot = BBoltWriter.Bucket()
      snapshot.put("name", Array("default/\(index)/\(key(index))".utf8))
      snapshot.put("labels", labels)
      snapshot.put("createdat", createdAt)
      snapshot.put("updatedat", createdAt)
      overlayfs.put(key(index), snapshot)
    }
    var snapshots = BBoltWriter.Bucket()
    snapshots.put("overlayfs", overlayfs)
    var namespace = BBoltWriter.Bucket()
    namespace.put("snapshots", snapshots)
    var version = BBoltWriter.Bucket()
    // Schema version 3 of containerd 1.6, a zigzag varint.
    version.put("version", [6])
    version.put("default", namespace)
    var root = BBoltWriter.Bucket()
    root.put("v1", version)
    return root
  }

  private static func snapshotterTree(count: Int) -> BBoltWriter.Bucket {
    var snapshots = BBoltWriter.Bucket()
    for index in 1...count {
      var record = BBoltWriter.Bucket()
      record.put("id", uvarint(UInt64(index)))
      record.put("kind", [OverlayfsSnapshotRecord.Kind.committed.rawValue])
      record.put("createdat", createdAt)
      record.put("updatedat", createdAt)
      snapshots.put("default/\(index)/\(key(index))", record)
    }
    var version = BBoltWriter.Bucket()
    version.put("snapshots", snapshots)
    var root = BBoltWriter.Bucket()
    root.put("v1", version)
    return root
  }

  static func uvarint(_ value: UInt64) -> [UInt8] {
    var bytes: [UInt8] = []
    var remaining = value
    while remaining >= 0x80 {
      bytes.append(UInt8(remaining & 0x7F) | 0x80)
      remaining >>= 7
    }
    bytes.append(UInt8(remaining))
    return bytes
  }
}
