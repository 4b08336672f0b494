/// Reads BuildKit's `snapshots.db` with the bbolt reader, for the Docker overlay2 store.
public struct BuildKitCacheReader: BuildCacheReader {
  public init() {}

  /// Returns the snapshot keys and the chain IDs (`chainid` values without `sha256:`) that
  /// BuildKit records. Throws `BBoltError` naming the file when it cannot be read.
  public func references(databasePath: String) throws -> BuildCacheReferences {
    let keys = try BuildKitSnapshots.keys(databasePath: databasePath) ?? []
    return BuildCacheReferences(
      snapshotKeys: keys, chainIDs: try BuildKitSnapshots.chainIDs(databasePath: databasePath))
  }
}
