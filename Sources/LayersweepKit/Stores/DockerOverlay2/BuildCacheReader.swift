/// What BuildKit's `snapshots.db` references: snapshot keys, which are overlay2 directory
/// names, and the layer chain IDs its snapshots were committed as.
public struct BuildCacheReferences: Sendable, Equatable {
  /// Overlay2 directory names that BuildKit owns.
  public var snapshotKeys: Set<String>
  /// Layer chain IDs (64 hex digits, no `sha256:` prefix) that the build cache keeps.
  public var chainIDs: Set<String>

  public init(snapshotKeys: Set<String>, chainIDs: Set<String> = []) {
    self.snapshotKeys = snapshotKeys
    self.chainIDs = chainIDs
  }
}

/// Reads BuildKit's build cache database (bbolt). The Docker overlay2 store calls it only
/// when `buildkit/snapshots.db` exists.
public protocol BuildCacheReader: Sendable {
  /// Returns the references stored in the database at `path`. A thrown error keeps every
  /// directory that BuildKit might own out of `clean`, and is reported naming the file.
  func references(databasePath: String) throws -> BuildCacheReferences
}
