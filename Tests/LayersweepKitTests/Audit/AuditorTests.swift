import Foundation
import Testing

@testable import LayersweepKit

@Suite struct AuditorTests {
  typealias Fixture = CrossCheckFixtures

  /// A store that returns a fixed result.
  struct FixedStore: StoreAdapter {
    let name = "docker-overlay2"
    let root = "/var/lib/docker"
    var result: StoreAuditResult

    func audit(host: HostSnapshot, context: AuditContext) -> StoreAuditResult { result }
  }

  /// A store whose read never returns, as on a hung filesystem.
  struct HungStore: StoreAdapter {
    let name = "containers-storage"
    let root = "/var/lib/containers/storage"

    func audit(host: HostSnapshot, context: AuditContext) -> StoreAuditResult {
      DispatchSemaphore(value: 0).wait()
      return StoreAuditResult(status: StoreStatus(name: name, root: root, isPresent: true))
    }
  }

  @Test func hungStoreTimesOut() {
    var context = AuditContext(now: Self.now)
    context.readTimeout = 0.5
    let auditor = Auditor(
      context: context, adapters: [HungStore()], hostname: "node-1",
      collect: { _ in Fixture.snapshot() })
    let report = auditor.run()
    #expect(report.errors.map(\.store) == ["containers-storage"])
    #expect(report.errors.map(\.path) == ["/var/lib/containers/storage"])
    #expect(report.exitStatus == .failed)
  }

  @Test func hungSnapshotTimesOut() {
    var context = AuditContext(now: Self.now)
    context.readTimeout = 0.5
    let auditor = Auditor(
      context: context, adapters: [], hostname: "node-1",
      collect: { _ in
        DispatchSemaphore(value: 0).wait()
        return Fixture.snapshot()
      })
    let report = auditor.run()
    #expect(report.errors.map(\.store) == ["host"])
    #expect(report.errors.first?.message.contains("did not finish within 0.5 s") == true)
  }

  struct CollectFailure: Error, CustomStringConvertible {
    var description: String { "/proc/self/mountinfo: permission denied" }
  }

  static let now = Date(timeIntervalSince1970: 1_800_000_000)

  @Test func mergesStoreAndCrossCheckFindings() {
    var result = Fixture.store([Fixture.record(Fixture.idA, pid: 42)])
    result.findings = [Finding(kind: .orphanedLayer, store: "docker-overlay2", id: "x")]
    let auditor = Auditor(
      context: AuditContext(now: Self.now), adapters: [FixedStore(result: result)],
      hostname: "node-1", collect: { _ in Fixture.snapshot() })
    let report = auditor.run()
    #expect(report.findings.map(\.kind) == [.orphanedLayer, .staleContainerState])
    #expect(report.findings.map(\.id) == ["x", Fixture.idA])
    #expect(report.stores.map(\.name) == ["docker-overlay2"])
    #expect(report.hostname == "node-1")
    #expect(report.generatedAt == Self.now)
    #expect(report.exitStatus == .findings)
  }

  @Test func defaultAdaptersCoverEveryStore() {
    let auditor = Auditor(context: AuditContext(), hostname: "node-1")
    #expect(
      auditor.adapters.map(\.name) == [
        "docker-overlay2", "docker-aufs", "containers-storage", "containerd", "kubelet",
      ])
  }

  @Test func storeErrorsFailTheRun() {
    let error = AuditError(
      store: "docker-overlay2", path: "/x/config.v2.json", message: "truncated")
    let auditor = Auditor(
      context: AuditContext(now: Self.now),
      adapters: [FixedStore(result: Fixture.store([], errors: [error]))], hostname: "node-1",
      collect: { _ in Fixture.snapshot() })
    let report = auditor.run()
    #expect(report.errors == [error])
    #expect(report.exitStatus == .failed)
  }

  @Test func collectionFailureBecomesError() {
    var paths = HostPaths()
    paths.proc = "/tmp/proc"
    let auditor = Auditor(
      context: AuditContext(paths: paths, now: Self.now),
      adapters: [FixedStore(result: Fixture.store([Fixture.record(Fixture.idA, pid: 42)]))],
      hostname: "node-1",
      collect: { _ in throw CollectFailure() })
    let report = auditor.run()
    #expect(report.findings.isEmpty)
    #expect(report.stores.isEmpty)
    #expect(
      report.errors == [
        AuditError(
          store: "host", path: "/tmp/proc",
          message: "reading the host failed: /proc/self/mountinfo: permission denied. Check that "
            + "--proc and --cgroup-root point at procfs and the cgroup mount, and run as root.")
      ])
    #expect(report.exitStatus == .failed)
  }
}
