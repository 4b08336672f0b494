import Testing

@testable import LayersweepKit

@Suite struct TableRendererTests {
  @Test func rendersGroupsTotalsAndErrors() {
    let expected = """
      Host: node-1
      Stores:
        docker-overlay2  /var/lib/docker  present, runtime not responding

      orphaned-layer: 2 findings, 1.5 MiB reclaimable, 2 cleanable
        ID    PATH                           AGE  RECLAIMABLE  CLEANABLE
        3f2a  /var/lib/docker/overlay2/3f2a  3d   1.5 MiB      yes
            no layer metadata names 3f2a
        9c01  /var/lib/docker/overlay2/9c01  2h   512 B        yes
            no layer metadata names 9c01

      leaked-cgroup: 1 finding, 0 B reclaimable, 0 cleanable
        ID           PATH                       AGE  RECLAIMABLE  CLEANABLE
        /docker/abc  /sys/fs/cgroup/docker/abc  -    -            no
            no store records container abc
            it still holds 1 process
            next step: Stop the processes still in the cgroup.

      dying-cgroups: 1 finding, 0 B reclaimable, 0 cleanable
        ID              PATH  AGE  RECLAIMABLE  CLEANABLE
        /sys/fs/cgroup  -     -    -            no
            nr_dying_descendants 17
            next step: Wait.

      Total: 4 findings, 1.5 MiB reclaimable, 2 cleanable

      Errors:
        docker-overlay2: /var/lib/docker/image/overlay2/repositories.json: invalid JSON at byte 12

      """
    #expect(TableRenderer.render(SampleReport.report) == expected)
  }

  @Test func shortensContainerIDs() {
    let id = String(repeating: "ab", count: 32)
    let finding = Finding(
      kind: .staleContainerState, store: "docker-overlay2", id: id, path: "/c/\(id)",
      evidence: ["gone"], nextStep: "Restart.")
    let report = AuditReport(
      generatedAt: SampleReport.generatedAt, hostname: "node-1", stores: [], findings: [finding],
      errors: [])
    let pathHeader = "PATH" + String(repeating: " ", count: 3 + 64 - 4)
    let expected = """
      Host: node-1
      Stores:
        none read

      stale-container-state: 1 finding, 0 B reclaimable, 0 cleanable
        ID            \(pathHeader)  AGE  RECLAIMABLE  CLEANABLE
        abababababab  /c/\(id)  -    -            no
            gone
            next step: Restart.

      Total: 1 finding, 0 B reclaimable, 0 cleanable

      """
    #expect(TableRenderer.render(report) == expected)
  }

  @Test func rendersNoFindings() {
    let expected = """
      Host: node-1
      Stores:
        docker-overlay2  /var/lib/docker  absent

      No findings.

      """
    #expect(TableRenderer.render(SampleReport.empty) == expected)
  }
}

@Suite struct HumanUnitsTests {
  @Test(
    arguments: [
      (0, "0 B"), (1023, "1023 B"), (1024, "1.0 KiB"), (1_572_864, "1.5 MiB"),
      (3_221_225_472, "3.0 GiB"),
    ] as [(Int64, String)])
  func formatsBytesInIECUnits(bytes: Int64, text: String) {
    #expect(HumanUnits.bytes(bytes) == text)
  }

  @Test(
    arguments: [
      (0, "0s"), (59, "59s"), (60, "1m"), (7_199, "1h"), (86_400, "1d"), (-5, "0s"),
    ] as [(Int64, String)])
  func formatsAgeInLargestUnit(seconds: Int64, text: String) {
    #expect(HumanUnits.age(seconds) == text)
  }
}
