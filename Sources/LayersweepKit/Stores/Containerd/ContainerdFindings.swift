import Foundation

/// Turns what `ContainerdStore` read into findings.
struct ContainerdFindings {
  /// The minimum age of a cleanable directory while containerd runs, in seconds. A prepare
  /// creates `new-*`, renames it to its number and commits the record in one bbolt
  /// transaction, so a younger directory may belong to a transaction still in progress.
  /// NOTE: a prepare normally takes milliseconds; 10 minutes is a margin, not a measured bound.
  static let inFlightWindow: TimeInterval = 600

  let store: ContainerdStore
  let state: ContainerdState
  let context: AuditContext

  func all() -> [Finding] {
    directoryFindings() + danglingRecordFindings() + unreferencedSnapshotFindings()
  }

  private var isContainerdRunning: Bool { !state.lockHolders.isEmpty }

  private var runningEvidence: [String] {
    guard isContainerdRunning else { return [] }
    let pids = state.lockHolders.map(String.init).joined(separator: ", ")
    var evidence = [
      "pid \(pids) holds a lock on containerd's database, so containerd is probably running; "
        + "metadata.db was read at transaction \(state.database.txid) without locking"
    ]
    if state.database.readAttempts > 1 {
      evidence.append(
        "metadata.db changed while it was read, so it was read "
          + "\(state.database.readAttempts) times until a copy was consistent")
    }
    return evidence
  }

  private func age(of date: Date?) -> Int64? {
    date.map { Int64(max(0, context.now.timeIntervalSince($0))) }
  }

  private func reclaimableBytes(_ path: String) -> Int64? {
    context.measuresBytes ? DiskUsage.allocatedBytesOfTree(at: path) : nil
  }
}

// MARK: - Snapshot directories

extension ContainerdFindings {
  func directoryFindings() -> [Finding] {
    let knownIDs = Set(state.records.map(\.directoryName))
    return state.entries.compactMap { entry in
      if knownIDs.contains(entry.name) && entry.isDirectory { return nil }
      return directoryFinding(entry, isKnownID: knownIDs.contains(entry.name))
    }
  }

  private func directoryFinding(_ entry: SnapshotDirectoryEntry, isKnownID: Bool) -> Finding {
    let path = store.snapshotsDirectory + "/" + entry.name
    let isStale = entry.name.hasPrefix("new-") || entry.name.hasPrefix("rm-")
    let isNumber = UInt64(entry.name) != nil && entry.name.allSatisfy { ("0"..."9").contains($0) }
    var evidence = [directoryEvidence(entry, isStale: isStale, isNumber: isNumber)]
    let blockers = cleanBlockers(entry, isStale: isStale, isNumber: isNumber, isKnownID: isKnownID)
    evidence += blockers + runningEvidence
    return Finding(
      kind: isStale ? .staleRemoval : .orphanedLayer, store: store.name, id: entry.name,
      path: path, evidence: evidence,
      reclaimableBytes: entry.isDirectory ? reclaimableBytes(path) : nil,
      ageSeconds: age(of: entry.modifiedAt), cleanable: blockers.isEmpty,
      nextStep: blockers.isEmpty ? nil : "Inspect \(path) and remove it by hand if unused.",
      details: ["snapshotter": ContainerdStore.snapshotter])
  }

  private func directoryEvidence(
    _ entry: SnapshotDirectoryEntry, isStale: Bool, isNumber: Bool
  ) -> String {
    if isStale {
      return "\(entry.name) is the temporary directory of a snapshot prepare or removal that "
        + "never finished; containerd renames or deletes it before committing"
    }
    if isNumber {
      return "no record in \(store.snapshotterDatabasePath) has snapshot id \(entry.name)"
    }
    return "\(entry.name) is not a snapshot id and no record names it"
  }

  /// Reasons that keep a directory finding from being cleanable; empty when it is cleanable.
  private func cleanBlockers(
    _ entry: SnapshotDirectoryEntry, isStale: Bool, isNumber: Bool, isKnownID: Bool
  ) -> [String] {
    var blockers: [String] = []
    if !entry.isDirectory {
      blockers.append("the entry is not a directory")
    }
    if !isStale && !isNumber {
      blockers.append("containerd never creates an entry of that name")
    }
    if !state.recordProblems.isEmpty {
      blockers.append(
        "\(state.recordProblems.count) records of metadata.db could not be decoded, so a "
          + "directory that looks unreferenced may belong to one of them")
    }
    let ageSeconds = context.now.timeIntervalSince(entry.modifiedAt)
    if isContainerdRunning && ageSeconds < Self.inFlightWindow {
      blockers.append(
        "the directory is \(Int(ageSeconds)) s old and containerd holds its database, so a "
          + "transaction may still be creating it")
    }
    return blockers
  }
}

// MARK: - Snapshot records

extension ContainerdFindings {
  func danglingRecordFindings() -> [Finding] {
    let directories = Set(state.entries.filter(\.isDirectory).map(\.name))
    return state.records.filter { !directories.contains($0.directoryName) }.map { record in
      let path = store.snapshotsDirectory + "/" + record.directoryName
      let owner = state.metadata?.keysByBackendName[record.name]
      return Finding(
        kind: .danglingLayerMetadata, store: store.name, id: record.name, path: path,
        evidence: [
          "\(store.snapshotterDatabasePath) records snapshot \(record.name) with id "
            + "\(record.id), but \(path) does not exist"
        ] + runningEvidence,
        ageSeconds: age(of: record.createdAt), cleanable: false,
        nextStep: removalStep(
          owner,
          fallback: "Restore the directory or remove the record "
            + "with containerd stopped."),
        details: details(record, owner: owner))
    }
  }

  func unreferencedSnapshotFindings() -> [Finding] {
    guard let metadata = state.metadata else { return [] }
    return state.records.filter { $0.kind == .active }.compactMap { record in
      let owner = metadata.keysByBackendName[record.name]
      if let owner, metadata.containersByKey[owner] != nil || metadata.leasesByKey[owner] != nil {
        return nil
      }
      return Finding(
        kind: .unreferencedLayerChain, store: store.name, id: record.name,
        path: store.snapshotsDirectory + "/" + record.directoryName,
        evidence: unreferencedEvidence(record, owner: owner, metadata: metadata) + runningEvidence,
        ageSeconds: age(of: record.createdAt), cleanable: false,
        nextStep: removalStep(
          owner,
          fallback: "containerd's garbage collection removes it "
            + "the next time it cleans the overlayfs snapshotter."),
        details: details(record, owner: owner))
    }
  }

  private func unreferencedEvidence(
    _ record: OverlayfsSnapshotRecord, owner: ContainerdMetadata.SnapshotKey?,
    metadata: ContainerdMetadata
  ) -> [String] {
    guard let owner else {
      return ["active snapshot \(record.name) has no snapshot in meta.db that names it"]
    }
    var evidence = [
      "active snapshot \(owner.key) in namespace \(owner.namespace) is the snapshot key of no "
        + "container and a resource of no lease"
    ]
    if metadata.gcRootKeys.contains(owner) {
      evidence.append(
        "it is labelled containerd.io/gc.root, so containerd's garbage collection keeps it")
    }
    return evidence
  }

  private func removalStep(_ owner: ContainerdMetadata.SnapshotKey?, fallback: String) -> String {
    guard let owner else { return fallback }
    return "If nothing uses it, run `ctr -n \(owner.namespace) snapshots rm \(owner.key)`."
  }

  private func details(
    _ record: OverlayfsSnapshotRecord, owner: ContainerdMetadata.SnapshotKey?
  ) -> [String: String] {
    var details = ["snapshot_id": record.directoryName, "snapshotter": ContainerdStore.snapshotter]
    if let owner {
      details["namespace"] = owner.namespace
      details["key"] = owner.key
    }
    return details
  }
}
