import Foundation

/// The containers/storage overlay store shared by Podman, Buildah and CRI-O: layer, image
/// and container records in the graph root, mount counts in the run root.
public struct ContainersStorageStore: StoreAdapter {
  public let name = "containers-storage"
  public var root: String { graphRoot }
  /// The graph root, such as `/var/lib/containers/storage`.
  public var graphRoot: String
  /// The run root, such as `/run/containers/storage`.
  public var runRoot: String
  /// The minimum age in seconds of a layer that no image or container reaches before it is
  /// reported. The default is the 24 hours containers/storage uses. A layer without a creation time counts as old.
  public var unreferencedMinimumAge: TimeInterval
  /// How long to wait for the store's locks before the audit of this store fails.
  public var lockTimeout: TimeInterval

  public init(
    paths: HostPaths, unreferencedMinimumAge: TimeInterval = 86_400,
    lockTimeout: TimeInterval = 10
  ) {
    self.graphRoot = paths.containersGraphRoot
    self.runRoot = paths.containersRunRoot
    self.unreferencedMinimumAge = unreferencedMinimumAge
    self.lockTimeout = lockTimeout
  }

  /// The overlay driver directory that contains the layer directories.
  public var driverRoot: String { graphRoot + "/overlay" }

  /// Takes the store's own fcntl locks, as Podman does, so nothing changes the store while
  /// they are held. The clean command takes them with `.write` around each removal and
  /// releases them (or drops the returned value) right after.
  public func lock(
    _ mode: ContainersStorageLocks.Mode, timeout: TimeInterval
  ) throws -> ContainersStorageLocks {
    try ContainersStorageLocks.acquire(
      graphRoot: graphRoot, runRoot: runRoot, mode: mode, timeout: timeout)
  }

  public func audit(host: HostSnapshot, context: AuditContext) -> StoreAuditResult {
    let status = StoreStatus(
      name: name, root: graphRoot, isPresent: FileManager.default.fileExists(atPath: graphRoot))
    guard status.isPresent else { return StoreAuditResult(status: status) }

    let scan: ContainersStorageScan
    do {
      scan = try readLocked(host: host)
    } catch {
      let lockError = error as? StoreLockError
      let failure = AuditError(
        store: name, path: lockError?.path ?? graphRoot,
        message: lockError?.message ?? String(describing: error))
      return StoreAuditResult(status: status, errors: [failure])
    }
    return result(of: scan, status: status, context: context)
  }

  /// Reads the metadata and the driver directory under shared locks, released before any
  /// slow work such as counting bytes.
  private func readLocked(host: HostSnapshot) throws -> ContainersStorageScan {
    let locks = try lock(.read, timeout: lockTimeout)
    defer { locks.release() }
    return readUnlocked(host: host)
  }

  /// Reads the metadata and the driver directory without taking the store's locks, for a
  /// caller that already holds them.
  func readUnlocked(host: HostSnapshot) -> ContainersStorageScan {
    let metadata = ContainersStorageMetadata.load(
      graphRoot: graphRoot, runRoot: runRoot, store: name)
    let mounts = host.hostMounts.filter { $0.target.hasPrefix(driverRoot + "/") }
    let driver = OverlayDriverDirectory.scan(
      root: driverRoot, layerIDs: Set(metadata.layers.keys),
      mountTargets: Set(mounts.map(\.target)))
    return ContainersStorageScan(metadata: metadata, driver: driver, mounts: mounts)
  }

  private func result(
    of scan: ContainersStorageScan, status: StoreStatus, context: AuditContext
  ) -> StoreAuditResult {
    var findings = layerFindings(scan, now: context.now)
    findings += linkFindings(scan)
    findings += mountFindings(scan)
    if context.measuresBytes { findings = findings.map(measured) }

    let layers = scan.metadata.layers.keys.filter { scan.driver.layerDirectories.contains($0) }
    // The driver root is not a mount root: containers/storage counts its own layer mounts in
    // mountpoints.json, which `mountFindings` checks, and a layer mounted by `podman mount`
    // is in use although no container runs.
    return StoreAuditResult(
      status: status, findings: Finding.sortedForOutput(findings),
      errors: scan.metadata.errors, containers: containerRecords(scan.metadata),
      mountRoots: [graphRoot + "/overlay-containers", runRoot + "/overlay-containers"],
      layerDiffDirectories: Dictionary(
        uniqueKeysWithValues: layers.map { ($0, driverRoot + "/" + $0 + "/diff") }),
      layerRoot: driverRoot, isContainerListComplete: true)
  }

  /// Adds the allocated bytes of a cleanable orphaned layer directory, the only finding
  /// whose removal frees space. One with a mount below it is not walked.
  private func measured(_ finding: Finding) -> Finding {
    guard finding.kind == .orphanedLayer, finding.cleanable, let path = finding.path else {
      return finding
    }
    var copy = finding
    copy.reclaimableBytes = DiskUsage.allocatedBytesOfTree(at: path)
    return copy
  }

  /// Builds a record for each container in `containers.json`, with its root filesystem and shm
  /// mount points. CRI-O containers are recognized by the `pod-id` key CRI-O writes into
  /// each container's metadata, and every other container counts as Podman's.
  func containerRecords(_ metadata: ContainersStorageMetadata) -> [ContainerRecord] {
    metadata.containers.map { container in
      ContainerRecord(
        store: name, runtime: container.isCRIOContainer ? "crio" : "libpod", id: container.id,
        name: container.names?.first,
        // TODO: read the state from Podman's database (`libpod/bolt_state.db` in Podman
        // 4.3, `db.sql` in 5.x) once a bbolt and SQLite reader exist.
        recordedState: .unknown,
        mountPoints: [
          driverRoot + "/" + container.layer + "/merged",
          graphRoot + "/overlay-containers/" + container.id + "/userdata/shm",
        ],
        sourcePath: metadata.containerSources[container.id] ?? graphRoot)
    }
  }
}

/// Everything read from one store while its locks were held.
struct ContainersStorageScan {
  var metadata: ContainersStorageMetadata
  var driver: OverlayDriverDirectory
  /// Host mounts below the driver directory.
  var mounts: [MountEntry]
}
