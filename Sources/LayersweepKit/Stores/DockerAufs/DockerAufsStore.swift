import Foundation

/// Docker's aufs graph driver store: `aufs/{diff,layers,mnt}` under the data root, with
/// the references kept in `image/aufs/layerdb`. Docker Engine 24.0 removed the driver, so
/// only older hosts still have one.
public struct DockerAufsStore: StoreAdapter {
  public let name = "docker-aufs"
  public var root: String { driverRoot }
  /// Docker's data root, such as `/var/lib/docker`.
  public var dockerRoot: String
  /// The aufs sysfs directory, such as `/sys/fs/aufs`.
  public var sysfsRoot: String

  public init(paths: HostPaths) {
    self.dockerRoot = paths.dockerRoot
    self.sysfsRoot = paths.aufsSysfsRoot
  }

  /// The driver directory, `<data root>/aufs`.
  public var driverRoot: String { dockerRoot + "/aufs" }
  /// The layer database, `<data root>/image/aufs/layerdb`.
  public var layerDatabaseRoot: String { dockerRoot + "/image/aufs/layerdb" }

  public func audit(host: HostSnapshot, context: AuditContext) -> StoreAuditResult {
    let status = StoreStatus(
      name: name, root: driverRoot, isPresent: FileManager.default.fileExists(atPath: driverRoot))
    guard status.isPresent else { return StoreAuditResult(status: status) }

    var database = AufsLayerDatabase.load(root: layerDatabaseRoot, store: name)
    let diffNames = AufsLayerDatabase.entries(of: driverRoot + "/diff")
    if !diffNames.isEmpty, !FileManager.default.fileExists(atPath: layerDatabaseRoot + "/sha256") {
      // Without the database every layer would look orphaned.
      database.errors.append(
        AuditError(
          store: name, path: layerDatabaseRoot + "/sha256",
          message: "the layer database does not exist but aufs/diff has entries; check the"
            + " Docker data root and that Docker ran here with the aufs driver"))
    }
    let mounts = host.hostMounts.filter { $0.target.hasPrefix(driverRoot + "/mnt/") }
      .compactMap { AufsMount($0, sysfsRoot: sysfsRoot) }
    let scan = DockerAufsScan(
      database: database, mounts: mounts,
      diffNames: diffNames,
      layersNames: AufsLayerDatabase.entries(of: driverRoot + "/layers"),
      mountPointNames: AufsLayerDatabase.entries(of: driverRoot + "/mnt"))

    var findings = orphanedLayers(scan, now: context.now) + strayEntries(scan, now: context.now)
    findings += pendingRemovals(scan, now: context.now) + deadMounts(scan)
    if context.measuresBytes { findings = findings.map(measured) }
    let referenced = scan.database.referencedDirectories.filter(scan.diffNames.contains)
    return StoreAuditResult(
      status: status, findings: Finding.sortedForOutput(findings), errors: database.errors,
      mountRoots: [driverRoot + "/mnt"],
      layerDiffDirectories: Dictionary(
        uniqueKeysWithValues: referenced.map { ($0, driverRoot + "/diff/" + $0) }))
  }

  /// Adds the allocated bytes of a cleanable finding. Mounted ones are not walked.
  private func measured(_ finding: Finding) -> Finding {
    guard finding.cleanable, let path = finding.path else { return finding }
    var copy = finding
    copy.reclaimableBytes = DiskUsage.allocatedBytesOfTree(at: path)
    return copy
  }

  /// Seconds since the entry at `path` was last modified, without following a symlink.
  func age(of path: String, now: Date) -> Int64? {
    var info = stat()
    guard lstat(path, &info) == 0 else { return nil }
    return max(0, Int64(now.timeIntervalSince1970) - Int64(info.st_mtim.tv_sec))
  }
}

/// The entries, references and mounts one audit read from the aufs store.
struct DockerAufsScan {
  var database: AufsLayerDatabase
  /// aufs mounts below `aufs/mnt`.
  var mounts: [AufsMount]
  /// Entry names of `aufs/diff`, `aufs/layers` and `aufs/mnt`.
  var diffNames: [String]
  var layersNames: [String]
  var mountPointNames: [String]
}
