import Foundation
import Testing

@testable import LayersweepKit

@Suite struct ContainerCrossCheckTests {
  typealias F = CrossCheckFixtures
  static let scopeA = "/system.slice/docker-\(F.idA).scope"

  @Test func staleStateNamesGonePid() throws {
    let host = F.snapshot()
    let findings = F.findings(
      host, [F.store([F.record(F.idA, pid: 42)])], kind: .staleContainerState)
    let finding = try #require(findings.first)
    #expect(findings.count == 1)
    #expect(finding.id == F.idA)
    #expect(finding.path == "\(F.root)/containers/\(F.idA)/config.v2.json")
    #expect(finding.details["reason"] == "gone")
    #expect(finding.evidence[1] == "container \(F.idA): its recorded pid 42 does not exist")
    #expect(!finding.cleanable)
    #expect(finding.nextStep != nil)
  }

  @Test func staleStateNamesZombie() throws {
    let host = F.snapshot(processes: [F.process(42, state: "Z", cgroup: Self.scopeA)])
    let findings = F.findings(
      host, [F.store([F.record(F.idA, pid: 42)])], kind: .staleContainerState)
    #expect(findings.map(\.id) == [F.idA])
    #expect(findings.first?.details["reason"] == "zombie")
  }

  @Test func staleStateNamesReusedPid() throws {
    let reused = F.process(42, command: "nginx", ticks: 50_000, cgroup: "/user.slice")
    let host = F.snapshot(processes: [reused])
    let findings = F.findings(
      host, [F.store([F.record(F.idA, pid: 42)])], kind: .staleContainerState)
    let finding = try #require(findings.first)
    #expect(finding.id == F.idA)
    #expect(finding.details["reason"] == "reused")
    #expect(finding.evidence[1].hasPrefix("container \(F.idA): its recorded pid 42 was reused: "))
  }

  @Test func negativePidIsStale() {
    let findings = F.findings(
      F.snapshot(), [F.store([F.record(F.idA, pid: -1)])], kind: .staleContainerState)
    #expect(findings.map(\.id) == [F.idA])
    #expect(findings.first?.details["reason"] == "no-pid")
  }

  @Test func liveAndStoppedRecordsAreQuiet() {
    let host = F.snapshot(processes: [F.process(42, cgroup: Self.scopeA)])
    let records = [F.record(F.idA, pid: 42), F.record(F.idB, state: .exited, pid: 0)]
    #expect(F.findings(host, [F.store(records)], kind: .staleContainerState).isEmpty)
  }

  @Test func zombieUnderShimCountsPerContainer() throws {
    let shim = F.process(
      10, command: "containerd-shim",
      arguments: ["/usr/bin/containerd-shim-runc-v2", "-namespace", "moby", "-id", F.idB])
    let zombies = [
      F.process(11, parent: 10, state: "Z", command: "sh"),
      F.process(12, parent: 10, state: "Z", command: "sh"),
    ]
    let findings = F.findings(
      F.snapshot(processes: [shim] + zombies), [F.store([])], kind: .zombieProcess)
    let finding = try #require(findings.first)
    #expect(findings.count == 1)
    #expect(finding.id == F.idB)
    #expect(finding.store == "process")
    #expect(finding.details["count"] == "2")
    #expect(finding.details["pids"] == "11,12")
    #expect(
      finding.evidence[0]
        == "2 zombie processes wait to be reaped by pid 10 (containerd-shim) in cgroup /")
  }

  @Test func zombieUnderLiveInitUsesRecord() throws {
    let initProcess = F.process(42, command: "bad-init", cgroup: Self.scopeA)
    let zombie = F.process(43, parent: 42, state: "Z", command: "worker", cgroup: Self.scopeA)
    let host = F.snapshot(processes: [initProcess, zombie])
    let findings = F.findings(host, [F.store([F.record(F.idA, pid: 42)])], kind: .zombieProcess)
    #expect(findings.map(\.id) == [F.idA])
    #expect(findings.first?.store == "docker-overlay2")
    #expect(findings.first?.details["pids"] == "43")
  }

  @Test func zombieUnderOtherParentIsIgnored() {
    let parent = F.process(42, command: "bash")
    let zombie = F.process(43, parent: 42, state: "Z", command: "sleep")
    let findings = F.findings(F.snapshot(processes: [parent, zombie]), [], kind: .zombieProcess)
    #expect(findings.isEmpty)
  }

  @Test func zombieOfUnknownContainerGroupsByParent() {
    let shim = F.process(10, command: "conmon")
    let zombie = F.process(11, parent: 10, state: "Z", command: "sh")
    let findings = F.findings(F.snapshot(processes: [shim, zombie]), [], kind: .zombieProcess)
    #expect(findings.map(\.id) == ["pid-10"])
  }
}
