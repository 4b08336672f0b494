/// Renders a report as text for people: store status, findings grouped by kind with their
/// evidence, totals of reclaimable bytes and the errors met.
public enum TableRenderer {
  static let headers = ["ID", "PATH", "AGE", "RECLAIMABLE", "CLEANABLE"]

  public static func render(_ report: AuditReport) -> String {
    var lines = ["Host: \(report.hostname)", "Stores:"]
    let nameWidth = report.stores.map(\.name.count).max() ?? 0
    lines +=
      report.stores.isEmpty ? ["  none read"] : report.stores.map { storeLine($0, nameWidth) }
    lines.append("")

    if report.findings.isEmpty {
      lines += ["No findings.", ""]
    } else {
      for kind in FindingKind.allCases {
        let group = report.findings.filter { $0.kind == kind }
        if !group.isEmpty { lines += kindSection(kind, group) + [""] }
      }
      lines.append(totalLine("Total", report.findings))
    }
    if !report.errors.isEmpty {
      if !report.findings.isEmpty { lines.append("") }
      lines.append("Errors:")
      lines += report.errors.map { "  \($0.store): \($0.path): \($0.message)" }
    }
    return lines.joined(separator: "\n") + (lines.last == "" ? "" : "\n")
  }

  static func storeLine(_ status: StoreStatus, _ nameWidth: Int) -> String {
    var state = status.isPresent ? "present" : "absent"
    switch status.isRuntimeResponding {
    case true?: state += ", runtime responding"
    case false?: state += ", runtime not responding"
    case nil: break
    }
    let name = status.name.padding(toLength: nameWidth, withPad: " ", startingAt: 0)
    return "  \(name)  \(status.root)  \(state)"
  }

  private static func kindSection(_ kind: FindingKind, _ findings: [Finding]) -> [String] {
    let rows = findings.map(cells)
    let widths = headers.indices.map { column in
      ([headers[column]] + rows.map { $0[column] }).map(\.count).max() ?? 0
    }
    var lines = [totalLine(kind.rawValue, findings), "  " + joined(headers, widths: widths)]
    for (finding, row) in zip(findings, rows) {
      lines.append("  " + joined(row, widths: widths))
      lines += finding.evidence.map { "      \($0)" }
      if let nextStep = finding.nextStep { lines.append("      next step: \(nextStep)") }
    }
    return lines
  }

  /// Builds the row of one finding. A 64-digit container or layer id is cut to its first 12 digits,
  /// as `docker ps` shows it, and a path equal to the id is shown once, in the ID column.
  private static func cells(_ finding: Finding) -> [String] {
    let id = CgroupNamingRule.isContainerID(finding.id) ? String(finding.id.prefix(12)) : finding.id
    let path = finding.path.flatMap { $0 == finding.id ? nil : $0 } ?? "-"
    return [
      id, path, finding.ageSeconds.map(HumanUnits.age) ?? "-",
      finding.reclaimableBytes.map(HumanUnits.bytes) ?? "-", finding.cleanable ? "yes" : "no",
    ]
  }

  /// Cells padded to their column widths, two spaces apart, with no trailing spaces.
  private static func joined(_ cells: [String], widths: [Int]) -> String {
    let padded = zip(cells, widths).map { cell, width in
      cell + String(repeating: " ", count: width - cell.count)
    }
    var line = padded.joined(separator: "  ")
    while line.hasSuffix(" ") { line.removeLast() }
    return line
  }

  /// `<label>: N finding(s), X reclaimable, N cleanable`.
  private static func totalLine(_ label: String, _ findings: [Finding]) -> String {
    let bytes = findings.compactMap(\.reclaimableBytes).reduce(0, +)
    let cleanable = findings.filter(\.cleanable).count
    let noun = findings.count == 1 ? "finding" : "findings"
    return "\(label): \(findings.count) \(noun), \(HumanUnits.bytes(bytes)) reclaimable, "
      + "\(cleanable) cleanable"
  }
}
