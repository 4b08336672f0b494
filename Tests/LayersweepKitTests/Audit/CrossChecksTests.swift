import Testing

@testable import LayersweepKit

@Suite struct CrossChecksTests {
  typealias Fixture = CrossCheckFixtures

  /// Builds a host with one case of every cross-check kind.
  static func troubledHost() -> (HostSnapshot, [StoreAuditResult]) {
    let shm = "\(Fixture.root)/containers/\(Fixture.idA)/mounts/shm"
    let stopped = Fixture.record(
      Fixture.idA, state: .exited, pid: 0, mountPoints: Fixture.mountPoints(of: Fixture.idA))
    let vanished = Fixture.record(Fixture.idB, pid: 42)
    let shim = Fixture.process(10, command: "containerd-shim")
    let zombie = Fixture.process(11, parent: 10, state: "Z")
    let namespace = MountNamespace(
      inode: 77, pids: [300], mounts: [Fixture.mount(shm)], isHost: false)
    let hierarchy = CgroupHierarchy(
      version: 2, mountPoint: "/sys/fs/cgroup", controllers: [],
      cgroups: ["/docker", "/docker/\(Fixture.idA)", "/docker/\(Fixture.idC)"],
      dyingDescendants: 3)
    let host = Fixture.snapshot(
      processes: [shim, zombie, Fixture.process(300, cgroup: "/docker/\(Fixture.idC)")],
      hostMounts: [Fixture.mount(shm)], otherNamespaces: [namespace], hierarchies: [hierarchy])
    return (host, [Fixture.store([stopped, vanished])])
  }

  @Test func troubledHostHasEveryKind() {
    let (host, stores) = Self.troubledHost()
    let context = AuditContext(dyingCgroupsThreshold: 1)
    let findings = Finding.sortedForOutput(
      CrossChecks(host: host, stores: stores, context: context).findings())
    #expect(
      findings.map(\.kind) == [
        .deadMount, .leakedMount, .leakedCgroup, .leakedCgroup, .dyingCgroups, .zombieProcess,
        .staleContainerState,
      ])
    #expect(findings.map(\.cleanable) == [true, false, true, false, false, false, false])
  }

  @Test func everyUncleanableHasNextStep() {
    let (host, stores) = Self.troubledHost()
    for finding in CrossChecks(host: host, stores: stores).findings() {
      #expect(finding.cleanable || finding.nextStep != nil, "\(finding.kind) \(finding.id)")
      #expect(!finding.evidence.isEmpty, "\(finding.kind) \(finding.id)")
    }
  }
}
