import Foundation

/// The sources of clean's findings: a saved `audit --json` report, or an audit run now.
enum ReportReading {
  /// Reads the findings of a saved report. They are re-verified before any action, so a
  /// stale report can only lead to skipped items.
  static func findings(from path: String) throws -> [Finding] {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw CleanError.unreadableFile(path: path, reason: "the report is missing or unreadable")
    }
    for strategy in [JSONDecoder.DateDecodingStrategy.iso8601, .secondsSince1970] {
      let decoder = JSONDecoder()
      decoder.dateDecodingStrategy = strategy
      if let report = try? decoder.decode(AuditReport.self, from: data) { return report.findings }
    }
    throw CleanError.unreadableFile(
      path: path, reason: "it is not a report written by 'layersweep audit --json'")
  }

  /// Audits the host now, with every store and cross-check.
  static func auditNow(paths: HostPaths, cgroupParent: String) -> AuditReport {
    let context = AuditContext(paths: paths, dockerCgroupParent: cgroupParent)
    return Auditor(context: context).run()
  }

  /// Returns the kind, store, id and path of every cleanable finding in `findings`.
  static func cleanableIdentities(_ findings: [Finding]) -> Set<[String]> {
    Set(findings.filter(\.cleanable).map(identity))
  }

  /// Returns what must match for a saved finding to be the same as a fresh one.
  static func identity(_ finding: Finding) -> [String] {
    [finding.kind.rawValue, finding.store, finding.id, finding.path ?? ""]
  }
}
