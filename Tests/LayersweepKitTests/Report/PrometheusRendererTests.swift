import Foundation
import Testing

@testable import LayersweepKit

@Suite struct PrometheusRendererTests {
  /// A version with a quote and a backslash, to show label values are escaped.
  static let version = "1.0-test \"rc\"\\x"

  static func golden() throws -> String {
    let url = try #require(
      Bundle.module.url(
        forResource: "sample", withExtension: "prom", subdirectory: "Fixtures/report"))
    return try String(contentsOf: url, encoding: .utf8)
  }

  @Test func matchesGoldenText() throws {
    let text = PrometheusRenderer.render(SampleReport.report, version: Self.version)
    #expect(text == (try Self.golden()))
  }

  @Test func emptyReportKeepsEverySeries() {
    let text = PrometheusRenderer.render(SampleReport.empty, version: "0.1.0")
    let findingSamples = text.split(separator: "\n").filter { $0.hasPrefix("layersweep_findings{") }
    #expect(findingSamples.count == FindingKind.allCases.count * 3)
    #expect(findingSamples.allSatisfy { $0.hasSuffix("} 0") })
    #expect(text.contains("layersweep_audit_success 1\n"))
  }

  @Test func escapesLabelValues() {
    #expect(PrometheusRenderer.escapeLabelValue("a\"b\\c\nd") == "a\\\"b\\\\c\\nd")
  }

  @Test func passesPromtoolCheck() throws {
    let text = PrometheusRenderer.render(SampleReport.report, version: Self.version)
    let result = try Self.runPromtool(input: text)
    #expect(result.status == 0, "promtool: \(result.output)")
    #expect(result.output == "")
  }

  /// Runs `promtool check metrics` on `input`; promtool comes from Debian's prometheus
  /// package, which `make deps` installs.
  static func runPromtool(input: String) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/promtool")
    process.arguments = ["check", "metrics"]
    let stdin = Pipe()
    let output = Pipe()
    process.standardInput = stdin
    process.standardOutput = output
    process.standardError = output
    try process.run()
    stdin.fileHandleForWriting.write(Data(input.utf8))
    try stdin.fileHandleForWriting.close()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
  }
}
