import Foundation

/// Renders a report as the JSON document described by `docs/report-schema.json`: sorted
/// keys, pretty-printed, dates in ISO 8601, absent values left out.
public enum JSONRenderer {
  public static func render(_ report: AuditReport) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    encoder.dateEncodingStrategy = .iso8601
    let data = try encoder.encode(report)
    return String(decoding: data, as: UTF8.self) + "\n"
  }
}
