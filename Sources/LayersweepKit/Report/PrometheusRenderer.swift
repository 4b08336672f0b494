import Foundation

/// Renders a report in the Prometheus text exposition format, for node_exporter's textfile
/// collector. Every kind appears for every store, with 0 when nothing was found, so series
/// stay stable from one run to the next.
public enum PrometheusRenderer {
  /// Subsystems that cross-check findings are filed under besides the stores themselves.
  public static let subsystems = ["cgroup", "process"]

  public static func render(_ report: AuditReport, version: String = Layersweep.version)
    -> String
  {
    let stores = Set(report.stores.map(\.name) + subsystems + report.findings.map(\.store))
      .sorted()
    var lines: [String] = []
    lines += header(
      "layersweep_findings", "Findings of the last audit, by finding kind and store.")
    lines += samples("layersweep_findings", stores: stores, report) { Int64($0.count) }
    lines += header(
      "layersweep_reclaimable_bytes",
      "Bytes that removing the findings of the last audit would free, by finding kind and store.")
    lines += samples("layersweep_reclaimable_bytes", stores: stores, report) {
      $0.compactMap(\.reclaimableBytes).reduce(0, +)
    }
    lines += summary(report, version: version)
    return lines.joined(separator: "\n") + "\n"
  }

  private static func summary(_ report: AuditReport, version: String) -> [String] {
    let timestamp = Int64(report.generatedAt.timeIntervalSince1970.rounded(.down))
    var lines = header(
      "layersweep_audit_errors", "Files and directories the last audit could not read.")
    lines.append("layersweep_audit_errors \(report.errors.count)")
    lines += header(
      "layersweep_audit_success", "Whether the last audit read everything it needed (1) or not (0)."
    )
    lines.append("layersweep_audit_success \(report.errors.isEmpty ? 1 : 0)")
    lines += header(
      "layersweep_audit_timestamp_seconds", "When the last audit ran, in seconds since the epoch.")
    lines.append("layersweep_audit_timestamp_seconds \(timestamp)")
    lines += header("layersweep_build_info", "The version of layersweep that wrote these metrics.")
    lines.append("layersweep_build_info{version=\"\(escapeLabelValue(version))\"} 1")
    return lines
  }

  private static func header(_ name: String, _ help: String) -> [String] {
    ["# HELP \(name) \(help)", "# TYPE \(name) gauge"]
  }

  private static func samples(
    _ name: String, stores: [String], _ report: AuditReport, value: ([Finding]) -> Int64
  ) -> [String] {
    var lines: [String] = []
    for kind in FindingKind.allCases {
      for store in stores {
        let findings = report.findings.filter { $0.kind == kind && $0.store == store }
        let labels = "kind=\"\(kind.rawValue)\",store=\"\(escapeLabelValue(store))\""
        lines.append("\(name){\(labels)} \(value(findings))")
      }
    }
    return lines
  }

  /// Escapes a label value as the text format requires: backslash, double quote and newline.
  public static func escapeLabelValue(_ value: String) -> String {
    value.replacingOccurrences(of: "\\", with: "\\\\")
      .replacingOccurrences(of: "\"", with: "\\\"")
      .replacingOccurrences(of: "\n", with: "\\n")
  }
}
