/// The plain-text rendering of a clean plan and its results, for standard output.
enum PlanText {
  static func render(_ plan: CleanPlan) -> String {
    var lines = [
      "PLAN: \(plan.items.count) items, \(CleanOptions.formatBytes(plan.reclaimableBytes)) "
        + "reclaimable"
    ]
    for item in plan.items {
      let finding = item.finding
      lines.append(
        "  \(item.action.rawValue) \(finding.kind.rawValue) \(finding.store) \(finding.id) "
          + "\(CleanOptions.formatBytes(finding.reclaimableBytes)) \(finding.path ?? "-")")
      lines.append("    why: \(item.reason)")
    }
    if !plan.unplanned.isEmpty {
      lines.append("NOT ACTED ON: \(plan.unplanned.count) findings")
      for skipped in plan.unplanned {
        let finding = skipped.finding
        lines.append("  \(finding.kind.rawValue) \(finding.store) \(finding.id): \(skipped.reason)")
      }
    }
    return lines.joined(separator: "\n") + "\n"
  }

  static func render(_ results: [ItemResult], dryRun actions: [RecordingRemover.Action]? = nil)
    -> String
  {
    var lines = [actions == nil ? "RESULTS:" : "DRY RUN (nothing was changed):"]
    for result in results {
      let finding = result.item.finding
      let isPreview = actions != nil && result.outcome == .done
      var line =
        "  \(isPreview ? "would" : result.outcome.rawValue) \(result.item.action.rawValue) "
      line += "\(finding.kind.rawValue) \(finding.id)"
      if let id = result.quarantineID, result.outcome == .done { line += " quarantine-id=\(id)" }
      if let message = result.message { line += ": \(message)" }
      lines.append(line)
    }
    for action in actions ?? [] {
      lines.append("  would \(action)")
    }
    return lines.joined(separator: "\n") + "\n"
  }

  static func render(_ results: [Quarantine.PurgeResult]) -> String {
    var lines = ["PURGE: \(results.count) quarantined items past retention"]
    for result in results {
      let outcome = result.error.map { "failed: \($0)" } ?? "purged"
      lines.append("  \(result.id) \(result.originalPath) \(outcome)")
    }
    return lines.joined(separator: "\n") + "\n"
  }
}
