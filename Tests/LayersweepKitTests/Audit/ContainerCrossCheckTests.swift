import Foundation
import Testing

@testable import LayersweepKit

@Suite struct ContainerCrossCheckTests {
  typealias Fixture = CrossCheckFixtures
  static let scopeA = "/system.slice/docker-\(Fixture.idA).scope"

  @Test func staleStateNamesGonePid() throws {
    let host = Fixture.snapshot()
    let findings = Fixture.findings(
      host, [Fixture.store([Fixture.record(Fixture.idA, pid: 42)])], kind: .staleContainerState)
    let finding = try #require(findings.first)
    #expect(findings.count == 1)
    #expect(finding.id == Fixture.idA)
    #expect(finding.path == "\(Fixture.root)/containers/\(Fixture.idA)/config.v2.json")
    #expect(finding.details["reason"] == "gone")
    #expect(finding.evidence[1] == "container \(Fixture.idA): its recorded pid 42 does not exist")
    #expect(!finding.cleanable)
    #expect(finding.nextStep != nil)
  }

  @Test func staleStateNamesZombie() throws {
    let host = Fixture.snapshot(processes: [Fixture.process(42, state: "Z", cgroup: Self.scopeA)])
    let findings = Fixture.findings(
      host, [Fixture.store([Fixture.record(Fixture.idA, pid: 42)])], kind: .staleContainerState)
    #expect(findings.map(\.id) == [Fixture.idA])
    #expect(findings.first?.details["reason"] == "zombie")
  }

  @Test func staleStateNamesReusedPid() throws {
    let reused = Fixture.process(42, command: "nginx", ticks: 50_000, cgroup: "/user.slice")
    let host = Fixture.snapshot(processes: [reused])
    let findings = Fixture.findings(
      host, [Fixture.store([Fixture.record(Fixture.idA, pid: 42)])], kind: .staleContainerState)
    let finding = try #require(findings.first)
    #expect(finding.id == Fixture.idA)
    #expect(finding.details["reason"] == "reused")
    #expect(
      finding.evidence[1].hasPrefix("container \(Fixture.idA): its recorded pid 42 was reused: "))
  }

  @Test func negativePidIsStale() {
    let findings = Fixture.findings(
      Fixture.snapshot(), [Fixture.store([Fixture.record(Fixture.idA, pid: -1)])],
      kind: .staleContainerState)
    #expect(findings.map(\.id) == [Fixture.idA])
    #expect(findings.first?.details["reason"] == "no-pid")
  }

  @Test func liveAndStoppedRecordsAreQuiet() {
    let host = Fixture.snapshot(processes: [Fixture.process(42, cgroup: Self.scopeA)])
    let records = [
      Fixture.record(Fixture.idA, pid: 42), Fixture.record(Fixture.idB, state: .exited, pid: 0),
    ]
    #expect(Fixture.findings(host, [Fixture.store(records)], kind: .staleContainerState).isEmpty)
  }

  @Test func zombieUnderShimCountsPerContainer() throws {
    let shim = Fixture.process(
      10, command: "containerd-shim",
      arguments: ["/usr/bin/containerd-shim-runc-v2", "-namespace", "moby", "-id", Fixture.idB])
    let zombies = [
      Fixture.process(11, parent: 10, state: "Z", command: "sh"),
      Fixture.process(12, parent: 10, state: "Z", command: "sh"),
    ]
    let findings = Fixture.findings(
      Fixture.snapshot(processes: [shim] + zombies), [Fixture.store([])], kind: .zombieProcess)
    let finding = try #require(findings.first)
    #expect(findings.count == 1)
    #expect(finding.id == Fixture.idB)
    #expect(finding.store == "process")
    #expect(finding.details["count"] == "2")
    #expect(finding.details["pids"] == "11,12")
    #expect(
      finding.evidence[0]
        == "2 zombie processes wait to be reaped by pid 10 (containerd-shim) in cgroup /")
  }

  @Test func zombieUnderLiveInitUsesRecord() throws {
    let initProcess = Fixture.process(42, command: "bad-init", cgroup: Self.scopeA)
    let zombie = Fixture.process(43, parent: 42, state: "Z", command: "worker", cgroup: Self.scopeA)
    let host = Fixture.snapshot(processes: [initProcess, zombie])
    let findings = Fixture.findings(
      host, [Fixture.store([Fixture.record(Fixture.idA, pid: 42)])], kind: .zombieProcess)
    #expect(findings.map(\.id) == [Fixture.idA])
    #expect(findings.first?.store == "docker-overlay2")
    #expect(findings.first?.details["pids"] == "43")
  }

  @Test func zombieUnderOtherParentIsIgnored() {
    let parent = Fixture.process(42, command: "bash")
    let zombie = Fixture.process(43, parent: 42, state: "Z", command: "sleep")
    let findings = Fixture.findings(
      Fixture.snapshot(processes: [parent, zombie]), [], kind: .zombieProcess)
    #expect(findings.isEmpty)
  }

  @Test func zombieOfUnknownContainerGroupsByParent() {
    let shim = Fixture.process(10, command: "conmon")
    let zombie = Fixture.process(11, parent: 10, state: "Z", command: "sh")
    let findings = Fixture.findings(
      Fixture.snapshot(processes: [shim, zombie]), [], kind: .zombieProcess)
    #expect(findings.map(\.id) == ["pid-10"])
  }
}
