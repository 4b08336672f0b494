import Foundation

/// The store-agnostic checks that join every store's container records with the mount
/// namespaces, processes and cgroup trees of one host snapshot: stale container state,
/// dead and leaked mounts, leaked and dying cgroups, and zombies.
///
/// Reads only the snapshot, except for `l/<id>` overlay short links, which it resolves with
/// `readlink` to recognise layer directories.
public struct CrossChecks: Sendable {
  public var host: HostSnapshot
  public var stores: [StoreAuditResult]
  public var cgroupRules: [CgroupNamingRule]
  let judge: LivenessJudge
  /// Each record with its verdict, in store order.
  let verdicts: [(record: ContainerRecord, liveness: ContainerLiveness)]
  /// The index into `verdicts` of the record owning each claimed mount point.
  let claimedMountPoints: [String: Int]
  /// The index into `verdicts` of each container id; the first store wins.
  let verdictIndexByID: [String: Int]
  /// The init pids of live containers.
  let livePIDs: Set<Int32>
  /// How many dying cgroups a hierarchy must hold before it is reported.
  let dyingCgroupsThreshold: Int
  /// The time ages are measured against.
  let now: Date

  public init(
    host: HostSnapshot, stores: [StoreAuditResult], context: AuditContext = AuditContext(),
    cgroupRules: [CgroupNamingRule]? = nil
  ) {
    self.host = host
    self.stores = stores
    self.cgroupRules =
      cgroupRules ?? CgroupNamingRule.standard(dockerCgroupParent: context.dockerCgroupParent)
    let judge = LivenessJudge(host: host, startTimeTolerance: context.startTimeTolerance)
    self.judge = judge
    dyingCgroupsThreshold = max(1, context.dyingCgroupsThreshold)
    now = context.now

    let records = stores.flatMap(\.containers)
    verdicts = records.map { ($0, judge.judge($0)) }
    var claimed: [String: Int] = [:]
    for (index, record) in records.enumerated() {
      for mountPoint in record.mountPoints { claimed[mountPoint] = index }
    }
    claimedMountPoints = claimed
    verdictIndexByID = Dictionary(
      records.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { first, _ in first })
    livePIDs = Set(
      verdicts.compactMap { verdict in
        if case .live(let pid) = verdict.liveness { return pid }
        return nil
      })
  }

  /// Runs every cross-check and returns their findings, unsorted.
  public func findings() -> [Finding] {
    staleContainerStateFindings() + deadMountFindings() + leakedMountFindings()
      + leakedCgroupFindings() + leakedPodCgroupFindings() + dyingCgroupFindings()
      + zombieProcessFindings()
  }

  // MARK: - Shared lookups

  /// Whether every store was read without errors, so an object that no record claims really
  /// is unclaimed. Findings are marked cleanable only when this holds.
  var isStoreDataComplete: Bool {
    stores.allSatisfy(\.errors.isEmpty)
  }

  /// Finds the record, with its verdict, that claims `path` or a mount point above it.
  func claimant(of path: String) -> (record: ContainerRecord, liveness: ContainerLiveness)? {
    var current = path
    while !current.isEmpty {
      if let index = claimedMountPoints[current] { return verdicts[index] }
      current = Self.parent(of: current)
    }
    return nil
  }

  /// Finds the verdict for the container with `id` in any store; nil when no store records it.
  func verdict(forContainerID id: String) -> (record: ContainerRecord, liveness: ContainerLiveness)?
  {
    verdictIndexByID[id].map { verdicts[$0] }
  }

  /// Finds the store whose mount roots contain `target` strictly below one of them.
  func store(owningMountPoint target: String) -> StoreAuditResult? {
    stores.first { store in
      store.mountRoots.contains { Self.isStrictlyBelow(target, root: $0) }
        && !store.sharedMountPoints.contains(target)
    }
  }

  /// Describes a process in a few words for evidence: `pid 42 (sleep) in cgroup /a/b`.
  func describeProcess(_ pid: Int32) -> String {
    guard let process = host.processes[pid] else { return "pid \(pid) (exited)" }
    let cgroup = Self.primaryCgroup(of: process) ?? "unknown"
    return "pid \(pid) (\(process.command)) in cgroup \(cgroup)"
  }

  /// Picks the unified (v2) cgroup path of a process, else its `name=systemd` one, else the first.
  static func primaryCgroup(of process: HostProcess) -> String? {
    let memberships = process.cgroups
    let unified = memberships.first { $0.hierarchyID == 0 }
    let systemd = memberships.first { $0.controllers.contains("name=systemd") }
    return (unified ?? systemd ?? memberships.first)?.path
  }

  /// Whether `path` lies below `root`, not at it. Compares UTF-8 bytes, because this runs
  /// for every mount and store root, and counting a String's characters walks all of them.
  static func isStrictlyBelow(_ path: String, root: String) -> Bool {
    let slash = UInt8(ascii: "/")
    let base = root.utf8.last == slash ? root.utf8.dropLast() : root.utf8[...]
    let bytes = path.utf8
    guard bytes.count > base.count + 1, bytes.starts(with: base) else { return false }
    return bytes[bytes.index(bytes.startIndex, offsetBy: base.count)] == slash
  }

  static func parent(of path: String) -> String {
    guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return "" }
    return String(path[..<slash])
  }
}
