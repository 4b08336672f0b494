import Testing

@testable import LayersweepKit

@Suite struct CgroupCrossCheckTests {
  typealias Fixture = CrossCheckFixtures
  static let cpu = CgroupHierarchy(
    version: 1, mountPoint: "/sys/fs/cgroup/cpu,cpuacct", controllers: ["cpu", "cpuacct"],
    cgroups: [
      "/docker", "/docker/\(Fixture.idA)", "/docker/\(Fixture.idB)",
      "/docker/\(Fixture.idB)/init.scope",
    ])
  static let scopeC = "/system.slice/docker-\(Fixture.idC).scope"
  static let unified = CgroupHierarchy(
    version: 2, mountPoint: "/sys/fs/cgroup", controllers: [],
    cgroups: ["/system.slice", scopeC, "/system.slice/docker.service"])

  static func memberOfCPU(_ pid: Int32, _ path: String) -> HostProcess {
    var process = Fixture.process(pid)
    process.cgroups = [
      CgroupMembership(hierarchyID: 4, controllers: ["cpu", "cpuacct"], path: path)
    ]
    return process
  }

  @Test func v1CgroupfsWithAndWithoutProcesses() throws {
    let process = Self.memberOfCPU(77, "/docker/\(Fixture.idB)/init.scope")
    let host = Fixture.snapshot(processes: [process], hierarchies: [Self.cpu])
    let findings = Fixture.findings(host, [Fixture.store([])], kind: .leakedCgroup)
    #expect(findings.map(\.id) == ["/docker/\(Fixture.idA)", "/docker/\(Fixture.idB)"])

    let empty = try #require(findings.first)
    #expect(empty.store == "cgroup")
    #expect(empty.path == "/sys/fs/cgroup/cpu,cpuacct/docker/\(Fixture.idA)")
    #expect(empty.cleanable)
    #expect(empty.details["process_count"] == "0")
    #expect(empty.details["driver"] == "cgroupfs")
    #expect(empty.evidence.contains("it holds no processes"))

    let busy = try #require(findings.last)
    #expect(!busy.cleanable)
    #expect(busy.details["pids"] == "77")
    #expect(busy.evidence.contains("it still holds 1 process"))
    #expect(
      busy.evidence.last == "member pid 77 (sleep) in cgroup /docker/\(Fixture.idB)/init.scope")
  }

  @Test func v2SystemdScopeWithProcess() throws {
    let host = Fixture.snapshot(
      processes: [Fixture.process(88, cgroup: Self.scopeC)], hierarchies: [Self.unified])
    let findings = Fixture.findings(host, [Fixture.store([])], kind: .leakedCgroup)
    let finding = try #require(findings.first)
    #expect(findings.count == 1)
    #expect(finding.id == Self.scopeC)
    #expect(finding.path == "/sys/fs/cgroup" + Self.scopeC)
    #expect(finding.details["driver"] == "systemd")
    #expect(finding.details["hierarchy"] == "unified")
    #expect(finding.details["pids"] == "88")
    #expect(!finding.cleanable)
    #expect(finding.details["stores"] == "docker-overlay2")
    #expect(
      finding.evidence[1] == "no record in store docker-overlay2 names container \(Fixture.idC)")
  }

  @Test func v2EmptyScopeIsCleanable() {
    let host = Fixture.snapshot(hierarchies: [Self.unified])
    let findings = Fixture.findings(host, [Fixture.store([])], kind: .leakedCgroup)
    #expect(findings.map(\.id) == [Self.scopeC])
    #expect(findings.map(\.cleanable) == [true])
  }

  @Test func liveContainerCgroupIsQuiet() {
    let record = Fixture.record(Fixture.idC, pid: 88)
    let host = Fixture.snapshot(
      processes: [Fixture.process(88, cgroup: Self.scopeC)], hierarchies: [Self.unified])
    #expect(Fixture.findings(host, [Fixture.store([record])], kind: .leakedCgroup).isEmpty)
  }

  @Test func customParentIsMatched() {
    let hierarchy = CgroupHierarchy(
      version: 2, mountPoint: "/sys/fs/cgroup", controllers: [],
      cgroups: ["/ci", "/ci/\(Fixture.idA)"])
    let context = AuditContext(dockerCgroupParent: "ci")
    let findings = CrossChecks(
      host: Fixture.snapshot(hierarchies: [hierarchy]), stores: [Fixture.store([])],
      context: context
    )
    .findings().filter { $0.kind == .leakedCgroup }
    #expect(findings.map(\.id) == ["/ci/\(Fixture.idA)"])
  }

  @Test func v2DyingDescendants() throws {
    var hierarchy = Self.unified
    hierarchy.cgroups = []
    hierarchy.dyingDescendants = 17
    let findings = Fixture.findings(
      Fixture.snapshot(hierarchies: [hierarchy]), [], kind: .dyingCgroups)
    let finding = try #require(findings.first)
    #expect(findings.count == 1)
    #expect(finding.id == "/sys/fs/cgroup")
    #expect(finding.details["dying"] == "17")
    #expect(finding.evidence[0] == "/sys/fs/cgroup/cgroup.stat reports nr_dying_descendants 17")
  }

  @Test func v1CountGapPerHierarchy() throws {
    let counts = [
      CgroupControllerCount(controller: "cpu", hierarchyID: 4, cgroupCount: 9, isEnabled: true),
      CgroupControllerCount(controller: "cpuacct", hierarchyID: 4, cgroupCount: 9, isEnabled: true),
      CgroupControllerCount(controller: "memory", hierarchyID: 5, cgroupCount: 1, isEnabled: true),
    ]
    let memory = CgroupHierarchy(
      version: 1, mountPoint: "/sys/fs/cgroup/memory", controllers: ["memory"], cgroups: [])
    let host = Fixture.snapshot(hierarchies: [Self.cpu, memory], counts: counts)
    let findings = Fixture.findings(host, [], kind: .dyingCgroups)
    let finding = try #require(findings.first)
    #expect(findings.count == 1)
    #expect(finding.id == "/sys/fs/cgroup/cpu,cpuacct")
    #expect(finding.details["dying"] == "4")
    #expect(
      finding.evidence[0]
        == "/proc/cgroups counts 9 cgroups in hierarchy 4 (cpu,cpuacct), but 5 directories are "
        + "visible under /sys/fs/cgroup/cpu,cpuacct")
  }

  @Test func dyingBelowThresholdIsQuiet() {
    var hierarchy = Self.unified
    hierarchy.dyingDescendants = 99
    let findings = Fixture.findings(
      Fixture.snapshot(hierarchies: [hierarchy]), [], kind: .dyingCgroups,
      context: AuditContext(dyingCgroupsThreshold: 100))
    #expect(findings.isEmpty)
  }

  @Test func noDyingCgroupsIsQuiet() {
    var hierarchy = Self.unified
    hierarchy.dyingDescendants = 0
    #expect(
      Fixture.findings(Fixture.snapshot(hierarchies: [hierarchy]), [], kind: .dyingCgroups).isEmpty)
  }
}
