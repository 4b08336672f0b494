/// The facts containerd's `io.containerd.metadata.v1.bolt/meta.db` records about one
/// snapshotter's snapshots: the backend name of each namespaced key, and the keys that
/// containers and leases reference (bucket layout from containerd 1.6 `metadata/buckets.go`).
struct ContainerdMetadata: Sendable {
  /// A snapshot key in one namespace.
  struct SnapshotKey: Hashable, Sendable {
    var namespace: String
    var key: String
  }

  /// Backend name (`<namespace>/<sequence>/<key>`) to the namespaced key that owns it.
  var keysByBackendName: [String: SnapshotKey] = [:]
  /// The container ids whose `snapshotKey` names each snapshot.
  var containersByKey: [SnapshotKey: [String]] = [:]
  /// The lease ids that list each snapshot among their resources.
  var leasesByKey: [SnapshotKey: [String]] = [:]
  /// Snapshots labelled `containerd.io/gc.root`, which garbage collection always keeps.
  var gcRootKeys: Set<SnapshotKey> = []

  /// Reads the buckets under `v1/<namespace>` for the snapshotter named `snapshotter`.
  static func read(_ database: BBoltDatabase, snapshotter: String) throws -> ContainerdMetadata {
    var metadata = ContainerdMetadata()
    guard let version = try database.bucket(at: ["v1"]) else { return metadata }
    for entry in try version.entries() where entry.isBucket {
      guard let namespace = entry.keyString else { continue }
      let bucket = try version.nestedBucket(entry)
      try metadata.readSnapshots(bucket, namespace: namespace, snapshotter: snapshotter)
      try metadata.readContainers(bucket, namespace: namespace, snapshotter: snapshotter)
      try metadata.readLeases(bucket, namespace: namespace, snapshotter: snapshotter)
    }
    return metadata
  }

  private mutating func readSnapshots(
    _ namespaceBucket: BBoltBucket, namespace: String, snapshotter: String
  ) throws {
    guard let snapshots = try namespaceBucket.bucket(at: ["snapshots", snapshotter]) else {
      return
    }
    for entry in try snapshots.entries() where entry.isBucket {
      guard let key = entry.keyString else { continue }
      let snapshot = try snapshots.nestedBucket(entry)
      let snapshotKey = SnapshotKey(namespace: namespace, key: key)
      if let name = try snapshot.value(forKey: "name") {
        keysByBackendName[String(decoding: name, as: UTF8.self)] = snapshotKey
      }
      if try snapshot.bucket(named: "labels")?.value(forKey: "containerd.io/gc.root") != nil {
        gcRootKeys.insert(snapshotKey)
      }
    }
  }

  private mutating func readContainers(
    _ namespaceBucket: BBoltBucket, namespace: String, snapshotter: String
  ) throws {
    guard let containers = try namespaceBucket.bucket(named: "containers") else { return }
    for entry in try containers.entries() where entry.isBucket {
      guard let id = entry.keyString else { continue }
      let container = try containers.nestedBucket(entry)
      guard try container.value(forKey: "snapshotter") == Array(snapshotter.utf8),
        let key = try container.value(forKey: "snapshotKey")
      else { continue }
      let snapshotKey = SnapshotKey(namespace: namespace, key: String(decoding: key, as: UTF8.self))
      containersByKey[snapshotKey, default: []].append(id)
    }
  }

  private mutating func readLeases(
    _ namespaceBucket: BBoltBucket, namespace: String, snapshotter: String
  ) throws {
    guard let leases = try namespaceBucket.bucket(named: "leases") else { return }
    for entry in try leases.entries() where entry.isBucket {
      guard let id = entry.keyString else { continue }
      let lease = try leases.nestedBucket(entry)
      guard let snapshots = try lease.bucket(at: ["snapshots", snapshotter]) else { continue }
      for resource in try snapshots.entries() {
        guard let key = resource.keyString else { continue }
        leasesByKey[SnapshotKey(namespace: namespace, key: key), default: []].append(id)
      }
    }
  }
}
