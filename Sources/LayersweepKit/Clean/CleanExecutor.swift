import Foundation

/// Carries out a plan one item at a time: re-verify, journal the intent, act through the
/// remover, journal the outcome. An item that changed since the plan is skipped; a failure
/// stops only its own item.
public final class CleanExecutor {
  let remover: any Remover
  let journal: Journal
  let faults: FaultInjection
  /// Re-verification hooks by store name.
  let targets: [String: any CleanTarget]
  let host: HostReverifier
  let minimumAge: Int64
  /// Reads the host mount table; replaced in tests.
  let readMounts: () throws -> [MountEntry]

  public init(
    remover: any Remover, journal: Journal, faults: FaultInjection = .disabled,
    targets: [any CleanTarget], host: HostReverifier, minimumAge: Int64,
    readMounts: (() throws -> [MountEntry])? = nil
  ) {
    self.remover = remover
    self.journal = journal
    self.faults = faults
    self.targets = Dictionary(
      targets.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    self.host = host
    self.minimumAge = minimumAge
    self.readMounts =
      readMounts ?? { [proc = host.proc] in try MountInfoReader.readHostTable(proc: proc) }
  }

  /// Executes every item of `plan` in order and returns one result per item.
  public func execute(_ plan: CleanPlan) -> [ItemResult] {
    plan.items.map { execute($0) }
  }

  private func execute(_ item: PlannedItem) -> ItemResult {
    let mounts: [MountEntry]
    do {
      mounts = try readMounts()
    } catch {
      return record(ItemResult(item: item, outcome: .skipped, message: "\(error)"))
    }
    switch item.action {
    case .quarantine: return quarantine(item, mounts: mounts)
    case .unmount: return unmount(item, mounts: mounts)
    case .releaseMount: return releaseMount(item)
    case .removeCgroup: return removeCgroup(item)
    }
  }

  private func quarantine(_ item: PlannedItem, mounts: [MountEntry]) -> ItemResult {
    let finding = item.finding
    guard let target = targets[finding.store], let path = finding.path else {
      let message = "no re-verification is available for store \(finding.store)"
      return record(ItemResult(item: item, outcome: .skipped, message: message))
    }
    do {
      return try target.withExclusiveAccess {
        quarantine(item, path: path, target: target, mounts: mounts)
      }
    } catch {
      return record(ItemResult(item: item, outcome: .skipped, message: "\(error)"))
    }
  }

  /// Re-verifies and quarantines one item while the store's locks are held.
  private func quarantine(
    _ item: PlannedItem, path: String, target: any CleanTarget, mounts: [MountEntry]
  ) -> ItemResult {
    let finding = item.finding
    let context = ReverificationContext(
      mounts: mounts, planned: item.observation, minimumAge: minimumAge)
    if case .changed(let reason) = target.reverify(finding, context: context) {
      return record(ItemResult(item: item, outcome: .skipped, message: reason))
    }
    let manifest = QuarantineManifest(
      id: Quarantine.makeID(), originalPath: path, companions: target.companions(of: finding),
      kind: finding.kind.rawValue, store: finding.store, findingID: finding.id,
      bytes: finding.reclaimableBytes, quarantinedAt: Date())
    return act(item, quarantineID: manifest.id) {
      try Quarantine(remover: remover, journal: journal, faults: faults)
        .quarantine(manifest, root: target.cleanRoot)
    }
  }

  private func unmount(_ item: PlannedItem, mounts: [MountEntry]) -> ItemResult {
    if case .changed(let reason) = host.reverifyDeadMount(item.finding, mounts: mounts) {
      return record(ItemResult(item: item, outcome: .skipped, message: reason))
    }
    let target = item.finding.path ?? item.finding.id
    return act(item) { try remover.unmount(target) }
  }

  private func releaseMount(_ item: PlannedItem) -> ItemResult {
    let pid: Int32
    switch host.holderOfLeakedMount(item.finding) {
    case .success(let holder): pid = holder
    case .failure(let skip):
      return record(ItemResult(item: item, outcome: .skipped, message: skip.reason))
    }
    let target = item.finding.path ?? item.finding.id
    return act(item) { try remover.unmount(target, inNamespaceOf: pid) }
  }

  private func removeCgroup(_ item: PlannedItem) -> ItemResult {
    let directories: [String]
    switch host.emptyCgroupTree(item.finding) {
    case .success(let tree): directories = tree
    case .failure(let skip):
      return record(ItemResult(item: item, outcome: .skipped, message: skip.reason))
    }
    return act(item) {
      for directory in directories {
        try remover.removeCgroup(at: directory, beneath: host.cgroupRoot)
      }
    }
  }

  /// Journals the intent, runs `change`, and journals its outcome.
  private func act(_ item: PlannedItem, quarantineID: String? = nil, _ change: () throws -> Void)
    -> ItemResult
  {
    faults.reach("before-intent")
    var result = ItemResult(item: item, outcome: .done, quarantineID: quarantineID)
    do {
      try journal.append(entry(result, outcome: "intent"))
    } catch {
      result.outcome = .skipped
      result.message = "the journal could not be written: \(error)"
      return result
    }
    faults.reach("after-intent")
    do {
      try change()
    } catch {
      result.outcome = .failed
      result.message = "\(error)"
    }
    try? journal.append(entry(result, outcome: result.outcome.rawValue))
    faults.reach("after-outcome")
    return result
  }

  /// Journals a skipped item and returns its result.
  private func record(_ result: ItemResult) -> ItemResult {
    try? journal.append(entry(result, outcome: result.outcome.rawValue))
    return result
  }

  private func entry(_ result: ItemResult, outcome: String) -> JournalEntry {
    let finding = result.item.finding
    return JournalEntry(
      item: finding.path ?? finding.id, kind: finding.kind.rawValue, store: finding.store,
      id: finding.id, bytes: finding.reclaimableBytes, action: result.item.action.rawValue,
      outcome: outcome, error: result.message, quarantineID: result.quarantineID)
  }
}
