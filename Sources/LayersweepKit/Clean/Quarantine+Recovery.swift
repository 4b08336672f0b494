import Foundation

extension Quarantine {
  /// The repair `recover` made to one trash entry a killed run left behind.
  public struct Recovery: Sendable, Equatable {
    public var path: String
    /// `completed` (the item was in the trash, companions followed), `rolled-back` (the item
    /// never left, or was restored, so the entry went), `purged` or `failed`.
    public var outcome: String
    public var error: String?
  }

  /// Finishes or rolls back what a killed clean, restore or purge left in the trash of every
  /// root, and journals each repair. Runs under the instance lock, before any new action.
  public func recover(roots: [String]) -> [Recovery] {
    let lastLines = lastJournalLines()
    var repairs: [Recovery] = []
    var entryIDs: Set<String> = []
    for root in roots {
      for name in Self.entryNames(root: root) {
        let id = Self.quarantineID(ofEntry: name)
        entryIDs.insert(id)
        let lastOutcome = lastLines[id]?.outcome
        if let repair = recover(entry: name, root: root, lastOutcome: lastOutcome) {
          repairs.append(repair)
        }
      }
    }
    return repairs + closeIntents(lastLines, withoutEntries: entryIDs)
  }

  /// Journals `rolled-back` for each intent whose run was killed before it created a trash
  /// entry, so every intent line in the journal is followed by an outcome.
  private func closeIntents(_ lastLines: [String: JournalEntry], withoutEntries ids: Set<String>)
    -> [Recovery]
  {
    var repairs: [Recovery] = []
    for (id, line) in lastLines.sorted(by: { $0.key < $1.key })
    where line.outcome == "intent" && !ids.contains(id) {
      guard line.action == "quarantine" || line.action == "purge" else { continue }
      var closing = line
      closing.time = Date()
      closing.action = "recover"
      closing.outcome = line.action == "purge" ? "purged" : "rolled-back"
      try? journal.append(closing)
      repairs.append(Recovery(path: line.item, outcome: closing.outcome))
    }
    return repairs
  }

  private func recover(entry name: String, root: String, lastOutcome: String?) -> Recovery? {
    let directory = Self.trashDirectory(root: root) + "/" + name
    if name.hasSuffix(Self.purgingSuffix) {
      return attempt(directory, outcome: "purged", manifest: nil) {
        try remover.removeTree(at: directory, beneath: root)
      }
    }
    guard (try? Self.validate(id: name)) != nil else { return nil }
    let manifestPath = directory + "/manifest.json"
    guard Self.exists(manifestPath) else {
      // The run was killed before the manifest was complete, so nothing was moved yet.
      guard !Self.exists(directory + "/item") else { return nil }
      return attempt(directory, outcome: "rolled-back", manifest: nil) {
        try remover.removeTree(at: directory, beneath: root)
      }
    }
    return recover(directory: directory, id: name, root: root, lastOutcome: lastOutcome)
  }

  private func recover(directory: String, id: String, root: String, lastOutcome: String?)
    -> Recovery?
  {
    let manifest: QuarantineManifest
    do {
      manifest = try QuarantineManifest.read(
        from: directory + "/manifest.json", expectedID: id, root: root)
    } catch {
      return Recovery(path: directory, outcome: "failed", error: "\(error)")
    }
    if Self.exists(directory + "/item") {
      return completeQuarantine(
        manifest, directory: directory, root: root, isJournalOpen: lastOutcome == "intent")
    }
    guard Self.exists(manifest.originalPath) else {
      let message =
        "the item is missing from both \(directory)/item and \(manifest.originalPath); "
        + "the trash entry was kept for inspection"
      return Recovery(path: directory, outcome: "failed", error: message)
    }
    return attempt(directory, outcome: "rolled-back", manifest: manifest) {
      try moveCompanionsBack(manifest, entry: directory, root: root)
      try remover.removeTree(at: directory, beneath: root)
    }
  }

  /// Moves the companions that had not followed the item yet; nil when none were left.
  private func completeQuarantine(
    _ manifest: QuarantineManifest, directory: String, root: String, isJournalOpen: Bool
  ) -> Recovery? {
    let pending = manifest.companions.enumerated().filter { index, companion in
      !Self.exists(directory + "/companion-\(index)") && Self.exists(companion)
    }
    guard !pending.isEmpty || isJournalOpen else { return nil }
    return attempt(directory, outcome: "completed", manifest: manifest) {
      for (index, companion) in pending {
        try remover.rename(companion, to: directory + "/companion-\(index)", beneath: root)
      }
    }
  }

  /// Runs one repair and journals it with action `recover`.
  private func attempt(
    _ path: String, outcome: String, manifest: QuarantineManifest?, _ repair: () throws -> Void
  ) -> Recovery {
    var recovery = Recovery(path: path, outcome: outcome)
    do {
      try repair()
    } catch {
      recovery.outcome = "failed"
      recovery.error = "\(error)"
    }
    let entry =
      manifest.map { journalEntry($0, action: "recover", outcome: recovery.outcome) }
      ?? JournalEntry(
        item: path, kind: "", store: "", id: "", action: "recover", outcome: recovery.outcome,
        quarantineID: Self.quarantineID(ofEntry: path))
    var line = entry
    line.error = recovery.error
    try? journal.append(line)
    return recovery
  }

  /// Returns the quarantine id of the trash entry at `path`, without the purging suffix.
  static func quarantineID(ofEntry path: String) -> String {
    let name = (path as NSString).lastPathComponent
    return name.hasSuffix(purgingSuffix) ? String(name.dropLast(purgingSuffix.count)) : name
  }

  /// Reads the last journal line about each quarantine id, or none when there is no journal.
  // NOTE: this reads the whole journal once per run, and layersweep never rotates the journal.
  private func lastJournalLines() -> [String: JournalEntry] {
    guard !journal.path.isEmpty, let entries = try? Journal.read(journal.path) else { return [:] }
    var lines: [String: JournalEntry] = [:]
    for entry in entries {
      if let id = entry.quarantineID { lines[id] = entry }
    }
    return lines
  }
}
