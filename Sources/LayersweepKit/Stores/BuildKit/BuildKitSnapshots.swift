import Foundation

/// The snapshot keys in Docker's BuildKit `snapshots.db` (`<data-root>/buildkit/snapshots.db`).
///
/// In graph driver mode, moby's builder-next snapshot adapter
/// (`daemon/internal/builder-next/adapters/snapshot/snapshot.go`) creates each BuildKit
/// snapshot as a graph driver layer named by its key and records it as a top-level bucket of
/// that name, holding `parent`, `committed`, `iscommitted`, `chainid` and `size`. Commit adds a
/// bucket for the committed name whose `committed` value is the key of the layer directory.
/// So every top-level bucket name and every `committed` value may name an overlay2 directory,
/// and none of them is referenced from layerdb.
public enum BuildKitSnapshots {
  /// Returns every name in `databasePath` that may be an overlay2 directory: the top-level
  /// bucket names and the `committed` values. Returns nil when the file does not exist.
  ///
  /// Reads without a lock, so it works while dockerd holds the file open. Names that are not
  /// valid UTF-8 or could not be a directory name (empty, `.`, `..`, containing `/` or NUL)
  /// are left out, because no overlay2 directory can carry them.
  ///
  /// - Throws: `BBoltError` naming the file when it exists but cannot be read or is malformed.
  public static func keys(databasePath: String) throws -> Set<String>? {
    guard FileManager.default.fileExists(atPath: databasePath) else { return nil }
    let database = try BBoltDatabase.open(path: databasePath)
    let root = database.rootBucket
    var keys = Set<String>()
    for entry in try root.entries() where entry.isBucket {
      guard let key = entry.keyString else { continue }
      insertIfDirectoryName(key, into: &keys)
      let bucket = try root.nestedBucket(entry)
      if let committed = try bucket.value(forKey: "committed") {
        insertIfDirectoryName(String(decoding: committed, as: UTF8.self), into: &keys)
      }
    }
    return keys
  }

  /// Returns the layer chain IDs (64 hex digits, without `sha256:`) that the snapshots'
  /// `chainid` values name; malformed values are left out.
  ///
  /// - Throws: `BBoltError` naming the file when it exists but cannot be read or is malformed.
  public static func chainIDs(databasePath: String) throws -> Set<String> {
    guard FileManager.default.fileExists(atPath: databasePath) else { return [] }
    let database = try BBoltDatabase.open(path: databasePath)
    let root = database.rootBucket
    var chainIDs = Set<String>()
    for entry in try root.entries() where entry.isBucket {
      guard let value = try root.nestedBucket(entry).value(forKey: "chainid") else { continue }
      let text = String(decoding: value, as: UTF8.self)
      let hex = text.hasPrefix("sha256:") ? String(text.dropFirst(7)) : text
      if StoreIdentifier.matches(hex, shape: .hex64) { chainIDs.insert(hex) }
    }
    return chainIDs
  }

  private static func insertIfDirectoryName(_ name: String, into keys: inout Set<String>) {
    guard !name.isEmpty, name != ".", name != "..", !name.contains("/"), !name.contains("\0"),
      name.utf8.count <= 255
    else { return }
    keys.insert(name)
  }
}
