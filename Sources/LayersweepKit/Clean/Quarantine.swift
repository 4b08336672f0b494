import Foundation

/// Moves items into a trash directory on the store's own filesystem instead of deleting them,
/// and moves them back on request.
///
/// Layout: `<store-root>/.layersweep-trash/<quarantine-id>/` contains `manifest.json`, the item
/// as `item` and its companions as `companion-<n>`. The rename of the item into the trash is
/// the commit point: before it the original is untouched, after it the manifest on disk says
/// how to restore it. `recover` finishes or rolls back whatever a killed run left between.
public struct Quarantine {
  /// The name of the trash directory inside each store root.
  public static let directoryName = ".layersweep-trash"

  let remover: any Remover
  let journal: Journal
  let faults: FaultInjection

  public init(remover: any Remover, journal: Journal, faults: FaultInjection = .disabled) {
    self.remover = remover
    self.journal = journal
    self.faults = faults
  }

  /// Returns the trash directory of the store at `root`.
  public static func trashDirectory(root: String) -> String {
    (root.hasSuffix("/") ? root : root + "/") + directoryName
  }

  /// Returns a new quarantine id: the UTC time and 8 random hex digits, such as
  /// `20260102T030405Z-1a2b3c4d`.
  public static func makeID(now: Date = Date()) -> String {
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(identifier: "UTC")
    formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
    let suffix = String(UInt32.random(in: 0...UInt32.max), radix: 16)
    return formatter.string(from: now) + "-" + String(repeating: "0", count: 8 - suffix.count)
      + suffix
  }

  /// Throws unless `id` has the form `makeID` produces, before it becomes a path.
  public static func validate(id: String) throws {
    let allowed = id.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
    guard allowed, (1...64).contains(id.count) else {
      throw CleanError.invalidPath(
        path: id, reason: "a quarantine id has only letters, digits and '-', at most 64")
    }
  }

  /// Moves `manifest.originalPath` and its companions into the trash of `root`: writes the
  /// manifest, renames the item (the commit point), then renames each companion.
  public func quarantine(_ manifest: QuarantineManifest, root: String) throws {
    let entry = Self.trashDirectory(root: root) + "/" + manifest.id
    try remover.createDirectory(at: Self.trashDirectory(root: root), beneath: root)
    try remover.createDirectory(at: entry, beneath: root)
    try remover.writeFile(try manifest.encoded(), to: entry + "/manifest.json", beneath: root)
    faults.reach("after-manifest")

    do {
      try remover.rename(manifest.originalPath, to: entry + "/item", beneath: root)
    } catch {
      // Nothing moved, so the entry holds only the manifest; the next recovery would remove it.
      try? remover.removeTree(at: entry, beneath: root)
      throw error
    }
    faults.reach("after-rename")
    for (index, companion) in manifest.companions.enumerated() {
      try remover.rename(companion, to: entry + "/companion-\(index)", beneath: root)
    }
    faults.reach("after-companions")
  }

  /// Moves a quarantined item and its companions back to where they were, then removes the
  /// trash entry. Fails with `EEXIST`, moving nothing, when the original path exists again.
  public func restore(id: String, roots: [String]) throws -> QuarantineManifest {
    try Self.validate(id: id)
    guard let (root, manifest) = try Self.find(id: id, roots: roots) else {
      throw CleanError.quarantineNotFound(
        id: id, trashDirectories: roots.map { Self.trashDirectory(root: $0) })
    }
    let entry = Self.trashDirectory(root: root) + "/" + id
    try journal.append(journalEntry(manifest, action: "restore", outcome: "intent"))
    do {
      try remover.rename(entry + "/item", to: manifest.originalPath, beneath: root)
      faults.reach("restore-after-rename")
      try moveCompanionsBack(manifest, entry: entry, root: root)
      try remover.removeTree(at: entry, beneath: root)
    } catch {
      try journal.append(
        journalEntry(manifest, action: "restore", outcome: "failed", error: "\(error)"))
      throw error
    }
    try journal.append(journalEntry(manifest, action: "restore", outcome: "done"))
    return manifest
  }

  /// Renames each companion still in the trash back to its original path.
  func moveCompanionsBack(_ manifest: QuarantineManifest, entry: String, root: String) throws {
    for (index, companion) in manifest.companions.enumerated() {
      let stored = entry + "/companion-\(index)"
      guard Self.exists(stored), !Self.exists(companion) else { continue }
      try remover.rename(stored, to: companion, beneath: root)
    }
  }

  func journalEntry(
    _ manifest: QuarantineManifest, action: String, outcome: String, error: String? = nil
  ) -> JournalEntry {
    JournalEntry(
      item: manifest.originalPath, kind: manifest.kind, store: manifest.store,
      id: manifest.findingID, bytes: manifest.bytes, action: action, outcome: outcome,
      error: error, quarantineID: manifest.id)
  }

  /// Returns whether anything, a dangling symlink included, exists at `path`.
  static func exists(_ path: String) -> Bool {
    var info = stat()
    return lstat(path, &info) == 0
  }
}
