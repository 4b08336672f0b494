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

  @Test func identitiesCoverCleanableFindings() {
    var reportOnly = Self.cgroup
    reportOnly.cleanable = false
    let identities = ReportReading.cleanableIdentities([Self.layer, reportOnly])
    #expect(identities == [["orphaned-layer", "docker-overlay2", "a", "/r/overlay2/a"]])
  }

  @Test func identityIgnoresEvidenceAndAge() {
    var older = Self.layer
    older.ageSeconds = 9_999
    older.evidence = ["other"]
    #expect(ReportReading.identity(older) == ReportReading.identity(Self.layer))
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
    #expect(outcome.status == 1, "clean: \(outcome.stdout)\(outcome.stderr)")
    #expect(outcome.stdout.contains("a fresh audit does not report it as cleanable"))
    #expect(FileManager.default.fileExists(atPath: victim))
  }
}
