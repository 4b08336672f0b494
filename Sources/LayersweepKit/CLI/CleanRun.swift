import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// One run of `layersweep clean`: lock, recover, audit, plan, confirm, execute, purge.
struct CleanRun {
  let settings: CleanSettings
  let console: Console

  func run() throws -> ExitStatus {
    if settings.isDryRun { return try dryRun() }
    let lock = try InstanceLock(path: settings.lockPath)
    defer { withExtendedLifetime(lock) {} }
    let journal = try Journal(path: settings.journalPath)
    let quarantine = Quarantine(
      remover: FileSystemRemover(), journal: journal, faults: FaultInjection.fromEnvironment())
    // Probe every store first: recovery and purge write there too, and a frozen or hung
    // filesystem must cost its own items, not the whole run.
    let unwritable = unwritableRoots()
    let roots = CleanOptions.roots(settings.targets).filter { unwritable[$0] == nil }
    CleanOptions.recover(quarantine, roots: roots, console: console)

    let plan = CleanPlan.make(
      try findings(), filter: settings.filter,
      targetStores: Set(settings.targets.map(\.name)))
    console.print(PlanText.render(plan))
    guard !plan.items.isEmpty else {
      return try purgeIfAsked(quarantine, roots: roots, Self.status(of: [], plan: plan))
    }
    guard try confirm(plan) else {
      console.print("Nothing was changed.\n")
      return .healthy
    }
    let (confirmed, unconfirmed) = split(plan)
    let (writable, skippedOnProbe) = skip(confirmed, unwritable: unwritable)
    let results =
      unconfirmed + skippedOnProbe
      + executor(remover: quarantine.remover, journal: journal, faults: quarantine.faults)
      .execute(writable)
    console.print(PlanText.render(results))
    return try purgeIfAsked(quarantine, roots: roots, Self.status(of: results, plan: plan))
  }

  /// Runs the same executor with a recording remover and no journal, and prints what it
  /// would do.
  private func dryRun() throws -> ExitStatus {
    let plan = CleanPlan.make(
      try findings(), filter: settings.filter,
      targetStores: Set(settings.targets.map(\.name)))
    console.print(PlanText.render(plan))
    let remover = RecordingRemover()
    let (confirmed, unconfirmed) = split(plan)
    let results =
      unconfirmed
      + executor(remover: remover, journal: try Journal(path: nil), faults: .disabled)
      .execute(confirmed)
    console.print(PlanText.render(results, dryRun: remover.actions))
    return Self.status(of: results, plan: plan)
  }

  private func executor(remover: any Remover, journal: Journal, faults: FaultInjection)
    -> CleanExecutor
  {
    CleanExecutor(
      remover: remover, journal: journal, faults: faults, targets: settings.targets,
      host: settings.hostReverifier, minimumAge: settings.filter.minimumAge)
  }

  private func purgeIfAsked(_ quarantine: Quarantine, roots: [String], _ status: ExitStatus)
    throws -> ExitStatus
  {
    guard settings.purgesAfter else { return status }
    let results = quarantine.purge(roots: roots, retention: settings.retention)
    console.print(PlanText.render(results))
    return results.contains { $0.error != nil } ? .findings : status
  }

  /// 0 when every item was done, 1 when any was skipped or failed or when the plan left out
  /// a cleanable finding that clean cannot act on. Findings that are only reported never
  /// raise the status.
  static func status(of results: [ItemResult], plan: CleanPlan) -> ExitStatus {
    let isComplete =
      results.allSatisfy { $0.outcome == .done } && !plan.unplanned.contains(where: \.isUnsupported)
    return isComplete ? .healthy : .findings
  }

  /// Returns the findings to plan from: a saved report's, or a fresh audit's.
  private func findings() throws -> [Finding] {
    if let path = settings.reportPath { return try ReportReading.findings(from: path) }
    return auditNow().findings
  }

  /// Audits the host now. The audit is the plan's source without `--report`, and with one it
  /// confirms each planned item.
  private func auditNow() -> AuditReport {
    let report = ReportReading.auditNow(paths: settings.paths, cgroupParent: settings.cgroupParent)
    for error in report.errors {
      console.log(.warning, error.message, ["store": error.store, "path": error.path])
    }
    return report
  }

  /// Returns the store roots whose filesystem did not complete a write probe in time, with the
  /// error. Roots that do not exist are not probed.
  private func unwritableRoots() -> [String: SystemCallError] {
    var failures: [String: SystemCallError] = [:]
    for root in CleanOptions.roots(settings.targets)
    where FileManager.default.fileExists(atPath: root) {
      if let failure = WriteProbe.check(root: root) {
        console.log(.error, "\(failure)", ["path": root])
        failures[root] = failure
      }
    }
    return failures
  }

  /// Splits off the quarantine items of stores whose root is in `unwritable`, as skipped
  /// results, so a frozen or hung filesystem cannot hang the run.
  private func skip(_ plan: CleanPlan, unwritable: [String: SystemCallError]) -> (
    CleanPlan, [ItemResult]
  ) {
    let roots = Dictionary(
      settings.targets.map { ($0.name, $0.cleanRoot) }, uniquingKeysWith: { first, _ in first })
    return Self.partition(plan) { item in
      guard item.action == .quarantine, let root = roots[item.finding.store] else { return nil }
      return unwritable[root].map { "\($0)" }
    }
  }

  /// Splits a plan made from a saved report into the items a fresh audit also reports as
  /// cleanable, and skipped results for the rest, so a stale or crafted report can never
  /// widen what clean acts on. A plan from a fresh audit is confirmed as it is.
  private func split(_ plan: CleanPlan) -> (CleanPlan, [ItemResult]) {
    guard settings.reportPath != nil else { return (plan, []) }
    let confirmed = ReportReading.cleanableIdentities(auditNow().findings)
    return Self.partition(plan) { item in
      confirmed.contains(ReportReading.identity(item.finding))
        ? nil : "a fresh audit does not report it as cleanable; audit again and review"
    }
  }

  /// Splits `plan` into the items `skipReason` returns nil for, and skipped results with the
  /// reason for the others.
  private static func partition(_ plan: CleanPlan, skipReason: (PlannedItem) -> String?) -> (
    CleanPlan, [ItemResult]
  ) {
    var remaining = plan
    var skipped: [ItemResult] = []
    remaining.items = plan.items.filter { item in
      guard let reason = skipReason(item) else { return true }
      skipped.append(ItemResult(item: item, outcome: .skipped, message: reason))
      return false
    }
    return (remaining, skipped)
  }

  /// Asks on the terminal unless `--yes` was given.
  private func confirm(_ plan: CleanPlan) throws -> Bool {
    if settings.isUnattended { return true }
    guard isatty(STDIN_FILENO) == 1 else { throw CleanError.confirmationUnavailable }
    console.printError("Act on \(plan.items.count) items? [y/N] ")
    let answer = readLine()?.trimmingCharacters(in: .whitespaces).lowercased()
    return answer == "y" || answer == "yes"
  }
}
