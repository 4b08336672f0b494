import Foundation

@testable import LayersweepKit

/// Builders for synthetic host snapshots and store results. The host booted at
/// `bootTime` with 100 clock ticks per second, so a process with `startTicks` 10_000 started
/// 100 s after boot.
enum CrossCheckFixtures {
  static let bootTime: UInt64 = 1_700_000_000
  static let root = "/var/lib/docker"
  static let execRoot = "/run/docker"
  static let idA = String(repeating: "a", count: 64)
  static let idB = String(repeating: "b", count: 64)
  static let idC = String(repeating: "c", count: 64)
  static let hostNamespace: UInt64 = 4_026_531_840

  /// Computes the date a process with `startTicks` started.
  static func date(ticks: UInt64) -> Date {
    Date(timeIntervalSince1970: Double(bootTime) + Double(ticks) / 100)
  }

  static func process(
    _ pid: Int32, parent: Int32 = 1, state: Character = "S", command: String = "sleep",
    arguments: [String] = [], ticks: UInt64 = 10_000, cgroup: String = "/",
    namespace: UInt64 = hostNamespace
  ) -> HostProcess {
    HostProcess(
      pid: pid, parentPID: parent, state: state, command: command, arguments: arguments,
      startTicks: ticks, mountNamespace: namespace,
      cgroups: [CgroupMembership(hierarchyID: 0, controllers: [], path: cgroup)])
  }

  static func mount(
    _ target: String, fsType: String = "tmpfs", source: String = "shm", device: String = "0:50",
    root: String = "/", options: String = "rw", id: Int = 100
  ) -> MountEntry {
    MountEntry(
      mountID: id, parentID: 1, device: device, root: root, target: target, fsType: fsType,
      source: source, vfsOptions: "rw,nosuid", fsOptions: options)
  }

  static func snapshot(
    processes: [HostProcess] = [], hostMounts: [MountEntry] = [],
    otherNamespaces: [MountNamespace] = [], hierarchies: [CgroupHierarchy] = [],
    counts: [CgroupControllerCount] = []
  ) -> HostSnapshot {
    let host = MountNamespace(inode: hostNamespace, pids: [1], mounts: hostMounts, isHost: true)
    return HostSnapshot(
      namespaces: [host] + otherNamespaces,
      processes: Dictionary(uniqueKeysWithValues: processes.map { ($0.pid, $0) }),
      cgroupHierarchies: hierarchies, cgroupCounts: counts, clockTicksPerSecond: 100,
      bootTime: bootTime, takenAt: date(ticks: 1_000_000))
  }

  static func record(
    _ id: String, state: RecordedState = .running, pid: Int32? = nil,
    startedAt: Date? = date(ticks: 10_000), mountPoints: [String] = []
  ) -> ContainerRecord {
    ContainerRecord(
      store: "docker-overlay2", runtime: "docker", id: id, recordedState: state, pid: pid,
      startedAt: startedAt, mountPoints: mountPoints,
      sourcePath: "\(root)/containers/\(id)/config.v2.json")
  }

  /// Lists the mount points Docker gives container `id` with a layer directory of the same id.
  static func mountPoints(of id: String) -> [String] {
    ["\(root)/overlay2/\(id)/merged", "\(root)/containers/\(id)/mounts/shm"]
  }

  static func store(
    _ records: [ContainerRecord], errors: [AuditError] = [], layers: [String: String] = [:],
    layerRoot: String = "\(root)/overlay2", sharedMountPoints: [String] = []
  ) -> StoreAuditResult {
    StoreAuditResult(
      status: StoreStatus(name: "docker-overlay2", root: root, isPresent: true),
      errors: errors, containers: records,
      mountRoots: ["\(root)/overlay2", "\(root)/containers", "\(execRoot)/netns"],
      layerDiffDirectories: layers, layerRoot: layerRoot, sharedMountPoints: sharedMountPoints,
      isContainerListComplete: true)
  }

  static func findings(
    _ host: HostSnapshot, _ stores: [StoreAuditResult], kind: FindingKind,
    context: AuditContext = AuditContext(dyingCgroupsThreshold: 1)
  ) -> [Finding] {
    let all = CrossChecks(host: host, stores: stores, context: context).findings()
    return Finding.sortedForOutput(all.filter { $0.kind == kind })
  }
}
