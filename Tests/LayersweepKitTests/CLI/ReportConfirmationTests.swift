import Foundation
import Testing

@testable import LayersweepKit

@Suite struct ReportConfirmationTests {
  static let layer = Finding(
    kind: .orphanedLayer, store: "docker-overlay2", id: "a", path: "/r/overlay2/a",
    cleanable: true)
  static let cgroup = Finding(
    kind: .leakedCgroup, store: "cgroup", id: "/system.slice",
    path: "/sys/fs/cgroup/memory/system.slice", cleanable: true)

  @Test func keepsFindingsTheAuditConfirms() {
    let result = ReportReading.confirmed([Self.layer], by: [Self.layer])
    #expect(result == [Self.layer])
  }

  @Test func demotesFindingsTheAuditLacks() {
    let result = ReportReading.confirmed([Self.layer, Self.cgroup], by: [Self.layer])
    #expect(result.map(\.cleanable) == [true, false])
    #expect(result[1].nextStep?.hasPrefix("A fresh audit does not report this") == true)
  }

  @Test func demotesFindingsTheAuditCannotClean() {
    var reported = Self.layer
    reported.cleanable = false
    let result = ReportReading.confirmed([Self.layer], by: [reported])
    #expect(result.map(\.cleanable) == [false])
  }

  @Test func craftedReportRemovesNothing() throws {
    let directory = try TemporaryDirectory()
    let base = directory.path
    let victim = base + "/cgroup/memory/system.slice"
    try FileManager.default.createDirectory(atPath: victim, withIntermediateDirectories: true)
    var finding = Self.cgroup
    finding.path = victim
    finding.ageSeconds = 86_400
    let report = AuditReport(hostname: "h", stores: [], findings: [finding], errors: [])
    try JSONRenderer.render(report).write(
      toFile: base + "/report.json", atomically: true, encoding: .utf8)

    let outcome = try AuditCommandEndToEndTests.run(
      [
        "clean", "--yes", "--min-age", "0s", "--report", base + "/report.json",
        "--journal", base + "/journal.jsonl", "--lock", base + "/lock",
        "--docker-root", base + "/docker", "--docker-exec-root", base + "/run-docker",
        "--docker-socket", base + "/docker.sock", "--containers-graphroot", base + "/cs",
        "--containers-runroot", base + "/run-cs", "--containerd-root", base + "/containerd",
        "--kubelet-root", base + "/kubelet", "--cgroup-root", base + "/cgroup",
      ])
    #expect(outcome.status != 2, "clean failed: \(outcome.stderr)")
    #expect(FileManager.default.fileExists(atPath: victim))
  }
}
