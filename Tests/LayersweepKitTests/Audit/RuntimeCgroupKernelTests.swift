import Foundation
import Testing

@testable import LayersweepKit

/// Podman, CRI-O and Docker container cgroups created in the real kernel below a parent unique
/// to the test, judged by a real `Auditor` against a containers/storage store result.
@Suite(.serialized) struct RuntimeCgroupKernelTests {
  typealias Fixture = CrossCheckFixtures

  /// A store adapter that returns a fixed result under any name.
  struct StaticStore: StoreAdapter {
    var name: String { result.status.name }
    var root: String { result.status.root }
    var result: StoreAuditResult

    func audit(host: HostSnapshot, context: AuditContext) -> StoreAuditResult { result }
  }

  @Test(.enabled(if: PodCgroupKernelTests.canCreateCgroups))
  func containerCgroupsWithoutRecords() throws {
    let tree = KernelCgroupTree(hierarchies: PodCgroupKernelTests.hierarchies)
    defer { tree.removeAll() }

    let parent = "/layersweep-test-" + UUID().uuidString.prefix(8).lowercased()
    let recorded = "\(parent)/libpod_parent/libpod-\(Fixture.idA)"
    let podman = "\(parent)/libpod_parent/libpod-\(Fixture.idB)"
    let crio =
      "\(parent)/kubepods/besteffort/pod\(PodCgroupKernelTests.busyUID)/"
      + "crio-conmon-\(Fixture.idC)"
    let docker = "\(parent)/docker/\(Fixture.idA)"
    for path in [recorded, podman, crio, docker] { try tree.create(path) }

    let record = ContainerRecord(
      store: "containers-storage", runtime: "libpod", id: Fixture.idA, recordedState: .unknown,
      sourcePath: "/var/lib/containers/storage/overlay-containers/containers.json")
    let storage = StoreAuditResult(
      status: StoreStatus(
        name: "containers-storage", root: "/var/lib/containers/storage", isPresent: true),
      containers: [record], isContainerListComplete: true)
    let report = Auditor(
      context: AuditContext(), adapters: [StaticStore(result: storage)], hostname: "node-1"
    ).run()
    let findings = report.findings.filter {
      $0.kind == .leakedCgroup && $0.id.hasPrefix(parent + "/")
    }

    #expect(findings.map(\.id) == [crio, crio, podman, podman])
    #expect(
      findings.map(\.path) == [
        "/sys/fs/cgroup/pids" + crio, "/sys/fs/cgroup/unified" + crio,
        "/sys/fs/cgroup/pids" + podman, "/sys/fs/cgroup/unified" + podman,
      ])
    #expect(findings.map { $0.details["runtime"] } == ["crio", "crio", "libpod", "libpod"])
    #expect(
      findings.map { $0.details["driver"] } == ["cgroupfs", "cgroupfs", "cgroupfs", "cgroupfs"])
    #expect(findings.map(\.cleanable) == [true, true, true, true])
  }
}
