import Foundation

extension Quarantine {
  /// The outcome of purging one quarantine entry.
  public struct PurgeResult: Sendable, Equatable {
    public var id: String
    public var originalPath: String
    public var bytes: Int64?
    /// Why the entry is still there, or nil when it was removed.
    public var error: String?
  }

  /// Suffix of a trash entry being purged. Renaming an entry to it is the commit point of a
  /// purge, so a killed purge is finished by `recover` and never restored half-removed.
  static let purgingSuffix = ".purging"

  /// Removes, through the remover, every quarantined item older than `retention` seconds.
  public func purge(roots: [String], retention: Int64, now: Date = Date()) -> [PurgeResult] {
    let cutoff = now.addingTimeInterval(-TimeInterval(retention))
    var results: [PurgeResult] = []
    for entry in Self.list(roots: roots) where entry.manifest.quarantinedAt <= cutoff {
      results.append(purge(entry))
    }
    return results
  }

  private func purge(_ entry: Entry) -> PurgeResult {
    let manifest = entry.manifest
    let directory = Self.trashDirectory(root: entry.root) + "/" + manifest.id
    var result = PurgeResult(
      id: manifest.id, originalPath: manifest.originalPath, bytes: manifest.bytes)
    do {
      try journal.append(journalEntry(manifest, action: "purge", outcome: "intent"))
      faults.reach("purge-after-intent")
      try remover.rename(directory, to: directory + Self.purgingSuffix, beneath: entry.root)
      faults.reach("purge-after-rename")
      try remover.removeTree(at: directory + Self.purgingSuffix, beneath: entry.root)
      faults.reach("purge-after-remove")
      try journal.append(journalEntry(manifest, action: "purge", outcome: "done"))
    } catch {
      result.error = "\(error)"
      try? journal.append(
        journalEntry(manifest, action: "purge", outcome: "failed", error: "\(error)"))
    }
    return result
  }
}
