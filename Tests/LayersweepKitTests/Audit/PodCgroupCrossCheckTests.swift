import Testing

@testable import LayersweepKit

/// Leaked Kubernetes pod cgroups, judged against kubelet's pods directory while kubelet runs.
@Suite struct PodCgroupCrossCheckTests {
  typealias Fixture = CrossCheckFixtures
  static let uid = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
  static let otherUID = "11111111-2222-4333-8444-555555555555"
  static let kubeletRoot = "/var/lib/kubelet"
  static let burstable = "/kubepods/burstable/pod\(uid)"
  static let systemdPod =
    "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod"
    + uid.replacingOccurrences(of: "-", with: "_") + ".slice"

  static let kubelet = Fixture.process(7, command: "kubelet")

  static func podStore(_ uids: [String], present: Bool = true, errors: [AuditError] = [])
    -> StoreAuditResult
  {
    StoreAuditResult(
      status: StoreStatus(name: "kubelet", root: kubeletRoot, isPresent: present),
      errors: errors, podUIDs: present ? Set(uids) : nil)
  }

  static func memory(_ cgroups: [String]) -> CgroupHierarchy {
    CgroupHierarchy(
      version: 1, mountPoint: "/sys/fs/cgroup/memory", controllers: ["memory"], cgroups: cgroups)
  }

  static func leaked(
    _ hierarchies: [CgroupHierarchy], _ stores: [StoreAuditResult],
    processes: [HostProcess] = [kubelet]
  ) -> [Finding] {
    let host = Fixture.snapshot(processes: processes, hierarchies: hierarchies)
    return Fixture.findings(host, stores, kind: .leakedCgroup)
  }

  static let cgroups = [
    "/kubepods", "/kubepods/burstable", burstable, "/kubepods/pod\(otherUID)",
  ]

  @Test func missingPodDirectoryIsLeaked() throws {
    let findings = Self.leaked([Self.memory(Self.cgroups)], [Self.podStore([Self.otherUID])])
    let finding = try #require(findings.first)
    #expect(findings.count == 1)
    #expect(finding.id == Self.burstable)
    #expect(finding.store == "cgroup")
    #expect(finding.path == "/sys/fs/cgroup/memory" + Self.burstable)
    #expect(finding.cleanable)
    #expect(finding.nextStep == nil)
    #expect(
      finding.evidence == [
        "cgroup \(Self.burstable) in hierarchy memory is the cgroup of Kubernetes pod "
          + "\(Self.uid) (QoS class burstable, cgroupfs driver)",
        "pod directory /var/lib/kubelet/pods/\(Self.uid) does not exist",
        "kubelet runs as pid 7",
        "it holds no processes",
      ])
    #expect(
      finding.details == [
        "pod_uid": Self.uid, "qos_class": "burstable", "driver": "cgroupfs",
        "hierarchy": "memory", "pod_directory": "/var/lib/kubelet/pods/\(Self.uid)",
        "kubelet_pid": "7", "process_count": "0", "pids": "",
      ])
  }

  @Test func existingPodDirectoryIsQuiet() {
    let store = Self.podStore([Self.uid, Self.otherUID])
    #expect(Self.leaked([Self.memory(Self.cgroups)], [store]).isEmpty)
  }

  @Test func withoutKubeletIsQuiet() {
    let store = Self.podStore([])
    #expect(Self.leaked([Self.memory(Self.cgroups)], [store], processes: []).isEmpty)
    let exited = Fixture.process(7, state: "Z", command: "kubelet")
    #expect(Self.leaked([Self.memory(Self.cgroups)], [store], processes: [exited]).isEmpty)
    let other = Fixture.process(8, command: "kubelet-helper")
    #expect(Self.leaked([Self.memory(Self.cgroups)], [store], processes: [other]).isEmpty)
  }

  @Test func unreadPodStoreIsQuiet() {
    let hierarchies = [Self.memory(Self.cgroups)]
    #expect(Self.leaked(hierarchies, []).isEmpty)
    #expect(Self.leaked(hierarchies, [Self.podStore([], present: false)]).isEmpty)
    let error = AuditError(store: "kubelet", path: "/var/lib/kubelet/pods", message: "denied")
    #expect(Self.leaked(hierarchies, [Self.podStore([], errors: [error])]).isEmpty)
  }

  @Test func systemdPodWithProcess() throws {
    let container = Self.systemdPod + "/cri-containerd-\(Fixture.idA).scope"
    let unified = CgroupHierarchy(
      version: 2, mountPoint: "/sys/fs/cgroup", controllers: [],
      cgroups: [
        "/kubepods.slice", "/kubepods.slice/kubepods-besteffort.slice", Self.systemdPod,
        container,
      ])
    let member = Fixture.process(40, cgroup: container)
    let findings = Self.leaked(
      [unified], [Self.podStore([])], processes: [Self.kubelet, member])
    let finding = try #require(findings.first)
    #expect(findings.count == 1)
    #expect(finding.id == Self.systemdPod)
    #expect(!finding.cleanable)
    #expect(finding.details["pod_uid"] == Self.uid)
    #expect(finding.details["qos_class"] == "besteffort")
    #expect(finding.details["driver"] == "systemd")
    #expect(finding.details["pids"] == "40")
    #expect(finding.evidence[3] == "it still holds 1 process")
    #expect(finding.evidence[4] == "member pid 40 (sleep) in cgroup \(container)")
    #expect(
      finding.nextStep == "Stop the processes still in the cgroup, then run clean to remove it.")
  }

  @Test func eachHierarchyReportsOnce() {
    let unified = CgroupHierarchy(
      version: 2, mountPoint: "/sys/fs/cgroup/unified", controllers: [], cgroups: Self.cgroups)
    let findings = Self.leaked(
      [Self.memory(Self.cgroups), unified], [Self.podStore([Self.otherUID])])
    #expect(
      findings.map(\.path) == [
        "/sys/fs/cgroup/memory" + Self.burstable, "/sys/fs/cgroup/unified" + Self.burstable,
      ])
  }

  @Test func podInsideContainerIsQuiet() {
    // A kubelet inside a container (kind) keeps its pods directory in that container.
    let nested = "/docker/\(Fixture.idA)/kubepods/burstable/pod\(Self.uid)"
    let hierarchy = Self.memory(["/docker", "/docker/\(Fixture.idA)", nested])
    let record = Fixture.record(Fixture.idA, pid: 7)
    var kubelet = Self.kubelet
    kubelet.cgroups = [
      CgroupMembership(hierarchyID: 3, controllers: ["memory"], path: "/docker/\(Fixture.idA)")
    ]
    let findings = Self.leaked(
      [hierarchy], [Fixture.store([record]), Self.podStore([])], processes: [kubelet])
    #expect(findings.isEmpty)
  }

  @Test func rootlessKubeletPodsAreQuiet() {
    let pod = "/user.slice/user-1000.slice/user@1000.service/kubepods/burstable/pod\(Self.uid)"
    #expect(Self.leaked([Self.memory([pod])], [Self.podStore([])]).isEmpty)
  }

  @Test func storeErrorsElsewhereBlockClean() throws {
    let error = AuditError(store: "docker-overlay2", path: "/x/config.v2.json", message: "bad")
    let findings = Self.leaked(
      [Self.memory(Self.cgroups)], [Fixture.store([], errors: [error]), Self.podStore([])])
    let finding = try #require(findings.first { $0.id == Self.burstable })
    #expect(!finding.cleanable)
    #expect(finding.nextStep?.hasPrefix("Fix the read errors listed in this report") == true)
  }
}
