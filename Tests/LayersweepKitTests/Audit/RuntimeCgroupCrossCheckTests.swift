import Testing

@testable import LayersweepKit

/// Leaked container cgroups of Podman, CRI-O and containerd, judged only by their own stores.
@Suite struct RuntimeCgroupCrossCheckTests {
  typealias Fixture = CrossCheckFixtures
  static let (idA, idB, idC) = (Fixture.idA, Fixture.idB, Fixture.idC)

  static func unified(_ cgroups: [String]) -> CgroupHierarchy {
    CgroupHierarchy(version: 2, mountPoint: "/sys/fs/cgroup", controllers: [], cgroups: cgroups)
  }

  static func record(_ id: String, runtime: String, store: String, state: RecordedState)
    -> ContainerRecord
  {
    ContainerRecord(
      store: store, runtime: runtime, id: id, recordedState: state,
      sourcePath: "/var/lib/containers/storage/overlay-containers/containers.json")
  }

  static func store(
    _ name: String, _ records: [ContainerRecord], present: Bool = true,
    errors: [AuditError] = [], complete: Bool = true
  ) -> StoreAuditResult {
    StoreAuditResult(
      status: StoreStatus(name: name, root: "/var/lib/\(name)", isPresent: present),
      errors: errors, containers: records, isContainerListComplete: complete)
  }

  static func leaked(
    _ cgroups: [String], _ stores: [StoreAuditResult], processes: [HostProcess] = []
  )
    -> [Finding]
  {
    let host = Fixture.snapshot(processes: processes, hierarchies: [unified(cgroups)])
    return Fixture.findings(host, stores, kind: .leakedCgroup)
  }

  // MARK: - Podman

  static let podmanCgroups = [
    "/machine.slice", "/machine.slice/libpod-\(idA).scope",
    "/machine.slice/libpod-conmon-\(idA).scope", "/machine.slice/libpod-\(idB).scope",
    "/machine.slice/libpod-conmon-\(idB).scope", "/libpod_parent", "/libpod_parent/conmon",
    "/libpod_parent/libpod-\(idC)",
  ]

  @Test func podmanCgroupsWithoutRecord() throws {
    let storage = Self.store(
      "containers-storage",
      [Self.record(Self.idA, runtime: "libpod", store: "containers-storage", state: .unknown)])
    let findings = Self.leaked(Self.podmanCgroups, [storage])
    #expect(
      findings.map(\.id) == [
        "/libpod_parent/libpod-\(Self.idC)", "/machine.slice/libpod-\(Self.idB).scope",
        "/machine.slice/libpod-conmon-\(Self.idB).scope",
      ])
    #expect(findings.map { $0.details["driver"] } == ["cgroupfs", "systemd", "systemd"])
    #expect(findings.map { $0.details["runtime"] } == ["libpod", "libpod", "libpod"])
    #expect(findings.map(\.cleanable) == [true, true, true])

    let first = try #require(findings.first)
    #expect(first.details["stores"] == "containers-storage")
    #expect(
      first.evidence == [
        "cgroup /libpod_parent/libpod-\(Self.idC) in hierarchy unified names libpod container "
          + Self.idC,
        "no record in store containers-storage names container \(Self.idC)",
        "it holds no processes",
      ])
  }

  @Test func podmanWithoutStoreIsQuiet() {
    let absent = Self.store("containers-storage", [], present: false)
    #expect(Self.leaked(Self.podmanCgroups, [absent]).isEmpty)
    #expect(Self.leaked(Self.podmanCgroups, []).isEmpty)
  }

  @Test func podmanStoreErrorsAreQuiet() {
    let error = AuditError(
      store: "containers-storage", path: "/var/lib/containers/storage/x.json", message: "bad")
    let broken = Self.store("containers-storage", [], errors: [error])
    #expect(Self.leaked(Self.podmanCgroups, [broken]).isEmpty)
  }

  @Test func exitedPodmanRecordIsLeaked() throws {
    let storage = Self.store(
      "containers-storage",
      [Self.record(Self.idC, runtime: "libpod", store: "containers-storage", state: .exited)])
    let findings = Self.leaked(["/libpod_parent", "/libpod_parent/libpod-\(Self.idC)"], [storage])
    let finding = try #require(findings.first)
    #expect(findings.count == 1)
    #expect(finding.evidence[1] == "container \(Self.idC) is not live: its record says exited")
  }

  @Test func rootlessPodmanIsQuiet() {
    let scope = "/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-\(Self.idA).scope"
    let storage = Self.store("containers-storage", [])
    #expect(Self.leaked([scope], [storage]).isEmpty)
  }

  // MARK: - CRI-O

  @Test func crioCgroupsUnderBothDrivers() {
    let pod = "/kubepods/besteffort/pod0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
    let slice = "/kubepods.slice/kubepods-burstable.slice"
    let cgroups = [
      "\(slice)/crio-\(Self.idA).scope", "\(slice)/crio-conmon-\(Self.idA).scope",
      "\(pod)/crio-\(Self.idB)", "\(pod)/crio-conmon-\(Self.idB)",
      "\(pod)/crio-\(Self.idB)/container",
    ]
    let storage = Self.store(
      "containers-storage",
      [Self.record(Self.idA, runtime: "crio", store: "containers-storage", state: .unknown)])
    let findings = Self.leaked(cgroups, [storage])
    #expect(findings.map(\.id) == ["\(pod)/crio-\(Self.idB)", "\(pod)/crio-conmon-\(Self.idB)"])
    #expect(findings.map { $0.details["runtime"] } == ["crio", "crio"])
    #expect(findings.map { $0.details["driver"] } == ["cgroupfs", "cgroupfs"])
  }

  @Test func crioScopeWithProcess() throws {
    let scope = "/kubepods.slice/kubepods-burstable.slice/crio-\(Self.idC).scope"
    let storage = Self.store("containers-storage", [])
    let findings = Self.leaked(
      [scope], [storage], processes: [Fixture.process(91, cgroup: scope)])
    let finding = try #require(findings.first)
    #expect(findings.count == 1)
    #expect(finding.id == scope)
    #expect(!finding.cleanable)
    #expect(finding.details["pids"] == "91")
    #expect(finding.details["driver"] == "systemd")
  }

  // MARK: - containerd

  static let containerdScope =
    "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod0a.slice/"
    + "cri-containerd-\(Fixture.idA).scope"

  @Test func containerdScopeWithoutRecord() throws {
    let findings = Self.leaked([Self.containerdScope], [Self.store("containerd", [])])
    let finding = try #require(findings.first)
    #expect(findings.count == 1)
    #expect(finding.id == Self.containerdScope)
    #expect(finding.details["runtime"] == "containerd")
    #expect(finding.details["stores"] == "containerd")
    #expect(finding.cleanable)
  }

  @Test func containerdWithoutContainerListIsQuiet() {
    let partial = Self.store("containerd", [], complete: false)
    #expect(Self.leaked([Self.containerdScope], [partial]).isEmpty)
  }

  @Test func containerdLiveRecordIsQuiet() {
    var record = Self.record(Self.idA, runtime: "containerd", store: "containerd", state: .running)
    record.pid = 55
    record.startedAt = Fixture.date(ticks: 10_000)
    let process = Fixture.process(55, cgroup: Self.containerdScope)
    let findings = Self.leaked(
      [Self.containerdScope], [Self.store("containerd", [record])], processes: [process])
    #expect(findings.isEmpty)
  }

  @Test func otherStoresDoNotDecide() {
    // A complete Docker store cannot decide containerd's cgroups.
    #expect(Self.leaked([Self.containerdScope], [Fixture.store([])]).isEmpty)
  }

  // MARK: - Docker

  @Test func dockerWithoutStoreIsQuiet() {
    let cgroups = ["/docker", "/docker/\(Self.idA)", "/system.slice/docker-\(Self.idB).scope"]
    #expect(Self.leaked(cgroups, []).isEmpty)
    #expect(Self.leaked(cgroups, [Self.store("docker-overlay2", [], present: false)]).isEmpty)
  }

  @Test func dockerStoreErrorsAreQuiet() {
    let error = AuditError(store: "docker-overlay2", path: "/x/config.v2.json", message: "bad")
    let cgroups = ["/docker", "/docker/\(Self.idA)"]
    #expect(Self.leaked(cgroups, [Fixture.store([], errors: [error])]).isEmpty)
  }

  @Test func dockerAufsStoreDecides() {
    let cgroups = ["/docker", "/docker/\(Self.idA)"]
    let findings = Self.leaked(cgroups, [Self.store("docker-aufs", [])])
    #expect(findings.map(\.id) == ["/docker/\(Self.idA)"])
    #expect(findings.map { $0.details["stores"] } == ["docker-aufs"])
  }
}
