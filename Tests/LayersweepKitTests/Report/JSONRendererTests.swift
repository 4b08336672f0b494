import Foundation
import Testing

@testable import LayersweepKit

@Suite struct JSONRendererTests {
  static let schemaURL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("docs/report-schema.json")

  static func object(_ text: String) throws -> [String: Any] {
    let value = try JSONSerialization.jsonObject(with: Data(text.utf8))
    return try #require(value as? [String: Any])
  }

  static func schema() throws -> [String: Any] {
    try object(String(contentsOf: schemaURL, encoding: .utf8))
  }

  /// Looks up the `$defs` entry `name` of the schema.
  static func definition(_ name: String) throws -> [String: Any] {
    let definitions = try #require(try schema()["$defs"] as? [String: Any])
    return try #require(definitions[name] as? [String: Any])
  }

  /// Checks `value` has every required key of `schema` and no key it does not describe.
  static func expectConforms(_ value: [String: Any], to schema: [String: Any], _ label: String)
    throws
  {
    let required = try #require(schema["required"] as? [String])
    let known = try #require(schema["properties"] as? [String: Any]).keys
    for key in required {
      #expect(value[key] != nil, "\(label) lacks required key \(key)")
    }
    for key in value.keys {
      #expect(known.contains(key), "\(label) has key \(key) the schema does not describe")
    }
  }

  @Test func renderedReportMatchesSchemaKeys() throws {
    let document = try Self.object(try JSONRenderer.render(SampleReport.report))
    try Self.expectConforms(document, to: try Self.schema(), "report")

    let parts: [(String, String)] = [
      ("stores", "store"), ("findings", "finding"), ("errors", "error"),
    ]
    for (key, definition) in parts {
      let items = try #require(document[key] as? [[String: Any]])
      #expect(!items.isEmpty)
      for item in items {
        try Self.expectConforms(item, to: try Self.definition(definition), definition)
      }
    }
  }

  @Test func schemaKindsMatchFindingKinds() throws {
    let kinds = try #require(try Self.definition("kind")["enum"] as? [String])
    #expect(kinds == FindingKind.allCases.map(\.rawValue))

    let document = try Self.object(try JSONRenderer.render(SampleReport.report))
    let findings = try #require(document["findings"] as? [[String: Any]])
    for finding in findings {
      let kind = try #require(finding["kind"] as? String)
      #expect(kinds.contains(kind))
    }
  }

  @Test func schemaVersionMatches() throws {
    let properties = try #require(try Self.schema()["properties"] as? [String: Any])
    let version = try #require(properties["schema_version"] as? [String: Any])
    #expect(version["const"] as? Int == AuditReport.currentSchemaVersion)
  }

  @Test func rendersSortedISODates() throws {
    let text = try JSONRenderer.render(SampleReport.empty)
    #expect(text.contains("\"generated_at\" : \"2025-12-04T15:00:00Z\""))
    #expect(text.contains("\"root\" : \"/var/lib/docker\""))
    let keys = ["errors", "findings", "generated_at", "hostname", "schema_version", "stores"]
    let positions = keys.compactMap { text.range(of: "\"\($0)\" :")?.lowerBound }
    #expect(positions.count == keys.count)
    #expect(positions == positions.sorted())
  }
}
