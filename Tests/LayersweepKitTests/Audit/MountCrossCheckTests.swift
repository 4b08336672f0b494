import Foundation
import Testing

@testable import LayersweepKit

@Suite struct MountCrossCheckTests {
  typealias Fixture = CrossCheckFixtures
  static let mergedA = "\(Fixture.root)/overlay2/\(Fixture.idA)/merged"
  static let shmA = "\(Fixture.root)/containers/\(Fixture.idA)/mounts/shm"
  static let scopeA = "/system.slice/docker-\(Fixture.idA).scope"

  static func overlay(_ target: String, device: String = "0:60", options: String) -> MountEntry {
    Fixture.mount(target, fsType: "overlay", source: "overlay", device: device, options: options)
  }

  static func stoppedStore(errors: [AuditError] = []) -> StoreAuditResult {
    let record = Fixture.record(
      Fixture.idA, state: .exited, pid: 0, mountPoints: Fixture.mountPoints(of: Fixture.idA))
    return Fixture.store([record], errors: errors)
  }

  // MARK: - Dead mounts

  @Test func deadMountOfStoppedContainerIsCleanable() throws {
    let host = Fixture.snapshot(hostMounts: [Self.overlay(Self.mergedA, options: "upperdir=/x")])
    let findings = Fixture.findings(host, [Self.stoppedStore()], kind: .deadMount)
    let finding = try #require(findings.first)
    #expect(findings.count == 1)
    #expect(finding.id == Self.mergedA)
    #expect(finding.path == Self.mergedA)
    #expect(finding.store == "docker-overlay2")
    #expect(finding.cleanable)
    #expect(finding.details["container"] == Fixture.idA)
    #expect(finding.evidence.last == "container \(Fixture.idA) is not live: its record says exited")
  }

  @Test func deadMountAgeIsRecordAge() throws {
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    var record = Fixture.record(
      Fixture.idA, state: .exited, pid: 0, mountPoints: Fixture.mountPoints(of: Fixture.idA))
    record.recordModifiedAt = now.addingTimeInterval(-90)
    let host = Fixture.snapshot(hostMounts: [Self.overlay(Self.mergedA, options: "upperdir=/x")])
    let findings = Fixture.findings(
      host, [Fixture.store([record])], kind: .deadMount,
      context: AuditContext(now: now, dyingCgroupsThreshold: 1))
    #expect(findings.map(\.ageSeconds) == [90])
  }

  @Test func deadMountUnclaimedIsNotCleanable() throws {
    let shm = "\(Fixture.root)/containers/\(Fixture.idB)/mounts/shm"
    let findings = Fixture.findings(
      Fixture.snapshot(hostMounts: [Fixture.mount(shm)]), [Fixture.store([])], kind: .deadMount)
    let finding = try #require(findings.first)
    #expect(finding.id == shm)
    #expect(!finding.cleanable)
    #expect(finding.evidence.last == "no container record claims this mount point")
  }

  @Test func deadMountWithStoreErrorsIsNotCleanable() throws {
    let error = AuditError(store: "docker-overlay2", path: "/x", message: "truncated")
    let host = Fixture.snapshot(hostMounts: [Fixture.mount(Self.shmA)])
    let findings = Fixture.findings(host, [Self.stoppedStore(errors: [error])], kind: .deadMount)
    #expect(findings.map(\.id) == [Self.shmA])
    #expect(findings.first?.cleanable == false)
  }

  @Test func liveContainerMountsAreQuiet() {
    let record = Fixture.record(
      Fixture.idA, pid: 42, mountPoints: Fixture.mountPoints(of: Fixture.idA))
    let host = Fixture.snapshot(
      processes: [Fixture.process(42, cgroup: Self.scopeA)],
      hostMounts: [Fixture.mount(Self.shmA), Fixture.mount(Self.mergedA + "/proc", fsType: "proc")])
    #expect(Fixture.findings(host, [Fixture.store([record])], kind: .deadMount).isEmpty)
  }

  @Test func unknownStateMountsAreQuiet() {
    let record = Fixture.record(
      Fixture.idA, state: .unknown, pid: 0, mountPoints: Fixture.mountPoints(of: Fixture.idA))
    let host = Fixture.snapshot(hostMounts: [Fixture.mount(Self.shmA)])
    #expect(Fixture.findings(host, [Fixture.store([record])], kind: .deadMount).isEmpty)
  }

  @Test func sharedAndRootMountsAreQuiet() {
    let netnsDefault = "\(Fixture.execRoot)/netns/default"
    let host = Fixture.snapshot(
      hostMounts: [
        Fixture.mount(netnsDefault, fsType: "nsfs"), Fixture.mount("\(Fixture.root)/overlay2"),
      ])
    let stores = [Fixture.store([], sharedMountPoints: [netnsDefault])]
    #expect(Fixture.findings(host, stores, kind: .deadMount).isEmpty)
  }

  // MARK: - Leaked mounts

  @Test func leakedShmListsHolders() throws {
    let holders = [
      Fixture.process(
        300, command: "unshare", cgroup: "/user.slice/session-2.scope", namespace: 77),
      Fixture.process(
        301, parent: 300, command: "sleep", cgroup: "/user.slice/session-2.scope", namespace: 77),
    ]
    let namespace = MountNamespace(
      inode: 77, pids: [300, 301], mounts: [Fixture.mount(Self.shmA)], isHost: false)
    let host = Fixture.snapshot(processes: holders, otherNamespaces: [namespace])
    let findings = Fixture.findings(host, [Self.stoppedStore()], kind: .leakedMount)
    let finding = try #require(findings.first)
    #expect(findings.count == 1)
    #expect(finding.id == Self.shmA)
    #expect(finding.path == Self.shmA)
    #expect(finding.details["holder_pids"] == "300,301")
    #expect(finding.details["namespaces"] == "77")
    #expect(finding.details["container"] == Fixture.idA)
    #expect(!finding.cleanable)
    #expect(
      finding.evidence == [
        "tmpfs mount of shm at \(Self.shmA) is held in mount namespace 77",
        "container \(Fixture.idA) is not live: its record says exited",
        "the host mount namespace no longer has it",
        "holder pid 300 (unshare) in cgroup /user.slice/session-2.scope in mount namespace 77",
        "holder pid 301 (sleep) in cgroup /user.slice/session-2.scope in mount namespace 77",
      ])
    #expect(
      finding.nextStep == "Stop the holder processes, or unmount it inside their mount namespace "
        + "with nsenter --target 300 --mount umount \(Self.shmA).")
  }

  @Test func leakedMountIsOneFindingAcrossNamespaces() throws {
    let first = MountNamespace(
      inode: 77, pids: [300], mounts: [Fixture.mount(Self.shmA)], isHost: false)
    let second = MountNamespace(
      inode: 78, pids: [400], mounts: [Fixture.mount(Self.shmA)], isHost: false)
    let host = Fixture.snapshot(otherNamespaces: [first, second, first])
    let findings = Fixture.findings(host, [Self.stoppedStore()], kind: .leakedMount)
    #expect(findings.map(\.id) == [Self.shmA])
    #expect(findings.first?.details["namespaces"] == "77,78")
    #expect(findings.first?.details["holder_pids"] == "300,400")
  }

  @Test func liveContainerNamespaceIsQuiet() {
    let record = Fixture.record(
      Fixture.idA, pid: 42, mountPoints: Fixture.mountPoints(of: Fixture.idA))
    let rootfs = Self.overlay("/", options: "upperdir=\(Fixture.root)/overlay2/\(Fixture.idA)/diff")
    let hostMerged = Self.overlay(
      Self.mergedA, options: "upperdir=\(Fixture.root)/overlay2/\(Fixture.idA)/diff")
    let namespace = MountNamespace(inode: 90, pids: [42], mounts: [rootfs], isHost: false)
    let host = Fixture.snapshot(
      processes: [Fixture.process(42, cgroup: Self.scopeA, namespace: 90)],
      hostMounts: [hostMerged],
      otherNamespaces: [namespace])
    let layers = [Fixture.idA: "\(Fixture.root)/overlay2/\(Fixture.idA)/diff"]
    #expect(
      Fixture.findings(host, [Fixture.store([record], layers: layers)], kind: .leakedMount).isEmpty)
  }

  @Test func leakedOverlayResolvesShortLink() throws {
    let directory = try TemporaryDirectory()
    let layerRoot = directory.path + "/overlay2"
    try FileManager.default.createDirectory(
      atPath: "\(layerRoot)/\(Fixture.idC)/diff", withIntermediateDirectories: true)
    try FileManager.default.createDirectory(
      atPath: "\(layerRoot)/l", withIntermediateDirectories: true)
    try FileManager.default.createSymbolicLink(
      atPath: "\(layerRoot)/l/SHORTLINKID", withDestinationPath: "../\(Fixture.idC)/diff")

    let mount = Self.overlay("/mnt/build", options: "lowerdir=l/SHORTLINKID,upperdir=/tmp/u")
    let namespace = MountNamespace(inode: 77, pids: [500], mounts: [mount], isHost: false)
    let layers = [Fixture.idC: "\(layerRoot)/\(Fixture.idC)/diff"]
    let stores = [Fixture.store([], layers: layers, layerRoot: layerRoot)]
    let findings = Fixture.findings(
      Fixture.snapshot(otherNamespaces: [namespace]), stores, kind: .leakedMount)
    let finding = try #require(findings.first)
    #expect(findings.count == 1)
    #expect(finding.id == "/mnt/build")
    #expect(finding.store == "docker-overlay2")
    #expect(finding.evidence.contains("its lowerdirs include layers \(Fixture.idC)"))
    #expect(finding.evidence.contains("no container record claims this mount point"))
  }

  @Test func craftedLowerdirsMatchNoLayer() throws {
    let directory = try TemporaryDirectory()
    let layerRoot = directory.path + "/overlay2"
    try FileManager.default.createDirectory(
      atPath: "\(layerRoot)/l", withIntermediateDirectories: true)
    try FileManager.default.createSymbolicLink(
      atPath: "\(layerRoot)/l/OUTSIDE", withDestinationPath: "/etc")
    let store = Fixture.store(
      [], layers: [Fixture.idC: "\(layerRoot)/\(Fixture.idC)/diff"], layerRoot: layerRoot)
    let index = LayerDirectoryIndex(stores: [store])

    let lowerdirs = "l/../../../etc/passwd:l/OUTSIDE:l/MISSING:l/:,:"
    let mount = Self.overlay("/mnt/x", options: "lowerdir=\(lowerdirs),upperdir=")
    let layers = index.layers(of: mount)
    #expect(layers.upper == nil)
    #expect(layers.lower.isEmpty)
  }

  @Test func overlayStillOnHostOutsideStoresIsQuiet() {
    let options = "lowerdir=\(Fixture.root)/overlay2/\(Fixture.idC)/diff,upperdir=/tmp/u"
    let hostCopy = Self.overlay("/var/lib/docker/buildkit/executor/x/rootfs", options: options)
    let namespace = MountNamespace(
      inode: 77, pids: [500], mounts: [Self.overlay("/", options: options)], isHost: false)
    let host = Fixture.snapshot(hostMounts: [hostCopy], otherNamespaces: [namespace])
    let stores = [
      Fixture.store([], layers: [Fixture.idC: "\(Fixture.root)/overlay2/\(Fixture.idC)/diff"])
    ]
    #expect(Fixture.findings(host, stores, kind: .leakedMount).isEmpty)
  }
}

/// A directory under the system temporary directory, removed when the value is released.
final class TemporaryDirectory {
  let path: String

  init() throws {
    path = FileManager.default.temporaryDirectory.path + "/layersweep-test-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  }

  deinit {
    try? FileManager.default.removeItem(atPath: path)
  }
}
