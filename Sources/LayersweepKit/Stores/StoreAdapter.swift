import Foundation

/// One container store layout (Docker overlay2, containers/storage, containerd, ...) read
/// from disk and audited on its own terms.
public protocol StoreAdapter: Sendable {
  /// The store's name, used as the `store` of its findings.
  var name: String { get }
  /// The directory the store lives in, as its StoreStatus reports it.
  var root: String { get }

  /// Reads the store and reports what is wrong with its layers and metadata.
  ///
  /// Reads only; never changes anything on disk. A missing root yields a status with
  /// `isPresent == false` and nothing else.
  func audit(host: HostSnapshot, context: AuditContext) -> StoreAuditResult
}

/// Settings shared by every stage of one audit run.
public struct AuditContext: Sendable {
  public var paths: HostPaths
  /// The time ages are measured against.
  public var now: Date
  /// How long to wait for a runtime API before treating it as unavailable.
  public var apiTimeout: TimeInterval
  /// Whether to walk layer directories to count reclaimable bytes.
  public var measuresBytes: Bool
  /// How long reading the host snapshot, or one store, may take before the audit gives up
  /// on it and reports it as an error, so a hung filesystem cannot hang the audit.
  public var readTimeout: TimeInterval = 120
  /// Docker's `--cgroup-parent` under the cgroupfs driver: container cgroups are
  /// `<parent>/<id>`.
  public var dockerCgroupParent: String
  /// How many seconds a process's start time may differ from its container's recorded
  /// start time before the pid counts as reused.
  public var startTimeTolerance: TimeInterval
  /// How many dying cgroups a hierarchy must hold before it is reported. A few are normal:
  /// the kernel keeps a removed memory cgroup until the pages charged to it are reclaimed,
  /// and cgroups created or removed during the walk skew the v1 count.
  public var dyingCgroupsThreshold: Int

  public init(
    paths: HostPaths = HostPaths(), now: Date = Date(), apiTimeout: TimeInterval = 2,
    measuresBytes: Bool = true, dockerCgroupParent: String = "docker",
    startTimeTolerance: TimeInterval = 5, dyingCgroupsThreshold: Int = 100
  ) {
    self.paths = paths
    self.now = now
    self.apiTimeout = apiTimeout
    self.measuresBytes = measuresBytes
    self.dockerCgroupParent = dockerCgroupParent
    self.startTimeTolerance = startTimeTolerance
    self.dyingCgroupsThreshold = dyingCgroupsThreshold
  }
}

/// What a store adapter returns: its own findings, the containers it records and the mount
/// locations it owns, so the cross-checks can judge mounts, cgroups and processes.
public struct StoreAuditResult: Sendable {
  public var status: StoreStatus
  public var findings: [Finding]
  public var errors: [AuditError]
  public var containers: [ContainerRecord]
  /// Directories under which any mount belongs to this store, such as `<root>/overlay2`,
  /// `<root>/containers` and `<exec-root>/netns`.
  public var mountRoots: [String]
  /// Layer content directories (`<layer>/diff`) by layer id, to recognise a layer used as an
  /// overlay upperdir or lowerdir in another namespace.
  public var layerDiffDirectories: [String: String]
  /// The directory that relative overlay lowerdirs such as `l/<id>` are relative to.
  public var layerRoot: String?
  /// Mount points below `mountRoots` that the runtime keeps for itself and no container
  /// owns, such as Docker's `<exec-root>/netns/default`; the cross-checks never report them.
  public var sharedMountPoints: [String]
  /// Whether `containers` holds every container the store records, so that a container id
  /// missing from it belongs to no container of this store. False unless the adapter sets it
  /// after reading its runtime's container records: the cross-checks judge a runtime's
  /// cgroups only by stores that set it, so an adapter that lists no containers never makes
  /// every cgroup look leaked.
  public var isContainerListComplete: Bool
  /// The uids of the Kubernetes pods this store records, for the kubelet pods directory;
  /// nil for every other store.
  public var podUIDs: Set<String>?

  public init(
    status: StoreStatus, findings: [Finding] = [], errors: [AuditError] = [],
    containers: [ContainerRecord] = [], mountRoots: [String] = [],
    layerDiffDirectories: [String: String] = [:], layerRoot: String? = nil,
    sharedMountPoints: [String] = [], isContainerListComplete: Bool = false,
    podUIDs: Set<String>? = nil
  ) {
    self.sharedMountPoints = sharedMountPoints
    self.isContainerListComplete = isContainerListComplete
    self.podUIDs = podUIDs
    self.status = status
    self.findings = findings
    self.errors = errors
    self.containers = containers
    self.mountRoots = mountRoots
    self.layerDiffDirectories = layerDiffDirectories
    self.layerRoot = layerRoot
  }
}
