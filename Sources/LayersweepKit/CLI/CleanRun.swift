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
    let roots = CleanOptions.roots(settings.targets)
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
    let results = executor(remover: quarantine.remover, journal: journal, faults: quarantine.faults)
      .execute(plan)
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
    let results = executor(remover: remover, journal: try Journal(path: nil), faults: .disabled)
      .execute(plan)
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

  private func findings() throws -> [Finding] {
    if let path = settings.reportPath { return try ReportReading.findings(from: path) }
    let report = ReportReading.auditNow(paths: settings.paths, cgroupParent: settings.cgroupParent)
    for error in report.errors {
      console.log(.warning, error.message, ["store": error.store, "path": error.path])
    }
    return report.findings
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
