import Foundation

/// The references a Docker `image/<driver>/layerdb` keeps on graph driver directories:
/// the `cache-id` of every image layer and the `mount-id` and `init-id` of every container.
///
/// NOTE: the Docker overlay2 store reads the same layout; the two readers should become one
/// once both exist.
struct AufsLayerDatabase {
  /// A layerdb entry that is being deleted or was never committed.
  struct PendingEntry: Equatable {
    /// The entry's directory.
    var path: String
    /// The graph driver directory it names, when readable.
    var cacheID: String?
  }

  /// Driver directory names referenced by committed image layers, by chain ID.
  var cacheIDs: [String: String] = [:]
  /// Driver directory names of container layers (`mount-id`, `init-id`), by container id.
  var mountIDs: [String: [String]] = [:]
  /// `sha256/<chainID>-<random>-removing` entries and `tmp/write-set-*` transactions.
  var pendingEntries: [PendingEntry] = []
  var errors: [AuditError] = []

  /// Every driver directory name the database references, pending entries included so a
  /// layer being written or deleted is never taken for an orphan.
  var referencedDirectories: Set<String> {
    Set(cacheIDs.values).union(mountIDs.values.joined()).union(pendingEntries.compactMap(\.cacheID))
  }

  /// Reads the layer database at `root`, such as `/var/lib/docker/image/aufs/layerdb`.
  /// A missing database reads as empty; unreadable entries and unsafe ids become `errors`
  /// that name the file.
  static func load(root: String, store: String) -> Self {
    var database = Self()
    database.readLayers(root: root, store: store)
    database.readMounts(root: root, store: store)
    database.readTransactions(root: root, store: store)
    return database
  }

  private mutating func readLayers(root: String, store: String) {
    for name in Self.entries(of: root + "/sha256") {
      let path = root + "/sha256/" + name
      if name.hasSuffix("-removing"), StoreIdentifier.isValid(name) {
        pendingEntries.append(PendingEntry(path: path, cacheID: readID(path + "/cache-id", store)))
      } else if StoreIdentifier.isValid(name), let cacheID = readID(path + "/cache-id", store) {
        cacheIDs[name] = cacheID
      } else if !StoreIdentifier.isValid(name) {
        errors.append(
          AuditError(store: store, path: path, message: "invalid chain ID directory name"))
      }
    }
  }

  private mutating func readMounts(root: String, store: String) {
    for container in Self.entries(of: root + "/mounts") {
      let path = root + "/mounts/" + container
      guard StoreIdentifier.isValid(container) else {
        errors.append(
          AuditError(store: store, path: path, message: "invalid container id directory name"))
        continue
      }
      var ids: [String] = []
      for file in ["mount-id", "init-id"] {
        guard FileManager.default.fileExists(atPath: path + "/" + file) || file == "mount-id" else {
          continue
        }
        if let id = readID(path + "/" + file, store) { ids.append(id) }
      }
      mountIDs[container] = ids
    }
  }

  private mutating func readTransactions(root: String, store: String) {
    for name in Self.entries(of: root + "/tmp") where name.hasPrefix("write-set-") {
      let path = root + "/tmp/" + name
      let cacheFile = path + "/cache-id"
      let cacheID =
        FileManager.default.fileExists(atPath: cacheFile) ? readID(cacheFile, store) : nil
      pendingEntries.append(PendingEntry(path: path, cacheID: cacheID))
    }
  }

  /// Reads a file that contains one id, or records an error naming it.
  private mutating func readID(_ path: String, _ store: String) -> String? {
    let data: Data
    do {
      data = try RegularFile.read(path, limit: 1_024)
    } catch {
      errors.append(
        AuditError(
          store: store, path: path, message: error.message + "; check the file, then rerun"))
      return nil
    }
    let id = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    guard StoreIdentifier.isValid(id) else {
      errors.append(
        AuditError(store: store, path: path, message: "invalid id \(String(reflecting: id))"))
      return nil
    }
    return id
  }

  static func entries(of directory: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
  }
}
