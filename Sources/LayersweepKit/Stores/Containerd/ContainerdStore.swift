import Foundation

/// containerd's overlayfs snapshotter under containerd's root directory.
///
/// Reads `io.containerd.snapshotter.v1.overlayfs/metadata.db` (snapshot records and their
/// directory numbers), `io.containerd.metadata.v1.bolt/meta.db` (namespaced keys, containers
/// and leases) and the `snapshots/` directory. Both databases are read without a lock while
/// containerd may hold its exclusive `flock` on them.
public struct ContainerdStore: StoreAdapter {
  public let name = "containerd"
  /// The snapshotter this adapter audits; its name keys the meta.db buckets.
  static let snapshotter = "overlayfs"

  public var root: String
  public var state: String

  public init(paths: HostPaths) {
    self.root = paths.containerdRoot
    self.state = paths.containerdState
  }

  var snapshotterRoot: String { root + "/io.containerd.snapshotter.v1.overlayfs" }
  var snapshotterDatabasePath: String { snapshotterRoot + "/metadata.db" }
  var metadataDatabasePath: String { root + "/io.containerd.metadata.v1.bolt/meta.db" }
  var snapshotsDirectory: String { snapshotterRoot + "/snapshots" }

  public func audit(host: HostSnapshot, context: AuditContext) -> StoreAuditResult {
    var isDirectory: ObjCBool = false
    let isPresent =
      FileManager.default.fileExists(atPath: snapshotterRoot, isDirectory: &isDirectory)
      && isDirectory.boolValue
    var result = StoreAuditResult(
      status: StoreStatus(name: name, root: root, isPresent: isPresent))
    guard isPresent else { return result }

    result.mountRoots = [snapshotsDirectory, state + "/io.containerd.runtime.v2.task"]
    do {
      let snapshot = try readState(context: context, errors: &result.errors)
      result.findings = ContainerdFindings(store: self, state: snapshot, context: context).all()
      result.layerDiffDirectories = snapshot.diffDirectories(under: snapshotsDirectory)
    } catch {
      result.errors.append(AuditError(store: name, path: error.path, message: error.message))
    }
    return result
  }

  /// Reads both databases and the snapshot directories.
  ///
  /// A failure to read metadata.db or the directory throws and ends the audit of this store.
  /// A failure to read meta.db is added to `errors` and only turns off the check for
  /// unreferenced snapshots.
  func readState(
    context: AuditContext, errors: inout [AuditError]
  ) throws(ContainerdReadError) -> ContainerdState {
    let database = try openDatabase(snapshotterDatabasePath)
    let records: OverlayfsSnapshotReader.Result
    do {
      records = try OverlayfsSnapshotReader.read(database)
    } catch {
      throw ContainerdReadError(
        path: snapshotterDatabasePath,
        message: "\(error); check the file or restore it from a backup")
    }
    let metadata = readMetadata(errors: &errors)
    let entries = try SnapshotDirectoryEntry.list(snapshotsDirectory)
    let lockHolders =
      FileLockTable.holders(of: snapshotterDatabasePath, procRoot: context.paths.proc)
      + FileLockTable.holders(of: metadataDatabasePath, procRoot: context.paths.proc)
    return ContainerdState(
      database: database, records: records.records, recordProblems: records.problems,
      metadata: metadata, entries: entries, lockHolders: Array(Set(lockHolders)).sorted())
  }

  private func openDatabase(_ path: String) throws(ContainerdReadError) -> BBoltDatabase {
    do {
      return try BBoltDatabase.open(path: path)
    } catch let error as BBoltError {
      throw ContainerdReadError(
        path: path,
        message: "\(error.description); check the file, or stop containerd if it "
          + "keeps changing")
    } catch {
      throw ContainerdReadError(path: path, message: "\(error)")
    }
  }

  private func readMetadata(errors: inout [AuditError]) -> ContainerdMetadata? {
    do {
      let database = try BBoltDatabase.open(path: metadataDatabasePath)
      return try ContainerdMetadata.read(database, snapshotter: Self.snapshotter)
    } catch {
      errors.append(
        AuditError(
          store: name, path: metadataDatabasePath,
          message: "\(error); unreferenced snapshots are not reported until it can be read"))
      return nil
    }
  }
}

/// A file of the containerd store that could not be read, with the next step.
struct ContainerdReadError: Error {
  var path: String
  var message: String
}

/// Everything the containerd audit read, taken once.
struct ContainerdState {
  var database: BBoltDatabase
  var records: [OverlayfsSnapshotRecord]
  /// Messages for records of metadata.db that could not be decoded.
  var recordProblems: [String]
  /// meta.db's view of the snapshots; nil when meta.db could not be read.
  var metadata: ContainerdMetadata?
  var entries: [SnapshotDirectoryEntry]
  /// Pids holding a lock on either database, which means containerd is running.
  var lockHolders: [Int32]

  func diffDirectories(under snapshotsDirectory: String) -> [String: String] {
    var directories: [String: String] = [:]
    for record in records {
      directories[record.directoryName] = "\(snapshotsDirectory)/\(record.directoryName)/fs"
    }
    return directories
  }
}
