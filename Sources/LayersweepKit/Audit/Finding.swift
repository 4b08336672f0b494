import Foundation

/// The kinds of problem layersweep reports. The raw values are stable: they appear as JSON
/// values, Prometheus label values and documentation anchors.
public enum FindingKind: String, CaseIterable, Codable, Sendable, Comparable {
  case orphanedLayer = "orphaned-layer"
  case danglingLayerMetadata = "dangling-layer-metadata"
  case brokenLayerLink = "broken-layer-link"
  case staleRemoval = "stale-removal"
  case unreferencedLayerChain = "unreferenced-layer-chain"
  case deadMount = "dead-mount"
  case leakedMount = "leaked-mount"
  case leakedCgroup = "leaked-cgroup"
  case dyingCgroups = "dying-cgroups"
  case zombieProcess = "zombie-process"
  case staleContainerState = "stale-container-state"
  case orphanedContainer = "orphaned-container"
  case hungFilesystem = "hung-filesystem"
  case blockedTask = "blocked-task"
  case unresponsiveRuntime = "unresponsive-runtime"

  public static func < (lhs: FindingKind, rhs: FindingKind) -> Bool {
    let order = FindingKind.allCases
    return order.firstIndex(of: lhs)! < order.firstIndex(of: rhs)!
  }
}

/// One problem found on the host, with the facts that made it a problem.
public struct Finding: Codable, Sendable, Equatable {
  /// What kind of garbage or fault this is.
  public var kind: FindingKind
  /// The store or subsystem the object belongs to, such as `docker-overlay2` or `cgroup`.
  public var store: String
  /// The object's identifier: a layer id, chain ID, container id, cgroup path or mount point.
  public var id: String
  /// The host path of the object, when it has one.
  public var path: String?
  /// The facts that made this a finding, one sentence each.
  public var evidence: [String]
  /// Bytes that removing the object would free, when that applies.
  public var reclaimableBytes: Int64?
  /// Seconds since the object was last modified, when known.
  public var ageSeconds: Int64?
  /// Whether `layersweep clean` may act on this finding.
  public var cleanable: Bool
  /// The operator's next step when clean does not act on it.
  public var nextStep: String?
  /// Structured facts for tools, such as holder pids or the container a cgroup belongs to.
  public var details: [String: String]

  public init(
    kind: FindingKind, store: String, id: String, path: String? = nil,
    evidence: [String] = [], reclaimableBytes: Int64? = nil, ageSeconds: Int64? = nil,
    cleanable: Bool = false, nextStep: String? = nil, details: [String: String] = [:]
  ) {
    self.kind = kind
    self.store = store
    self.id = id
    self.path = path
    self.evidence = evidence
    self.reclaimableBytes = reclaimableBytes
    self.ageSeconds = ageSeconds
    self.cleanable = cleanable
    self.nextStep = nextStep
    self.details = details
  }

  enum CodingKeys: String, CodingKey {
    case kind, store, id, path, evidence
    case reclaimableBytes = "reclaimable_bytes"
    case ageSeconds = "age_seconds"
    case cleanable
    case nextStep = "next_step"
    case details
  }
}

extension Finding {
  /// A total order for stable output: by kind, then store, then id, then path.
  public static func sortedForOutput(_ findings: [Finding]) -> [Finding] {
    findings.sorted {
      ($0.kind, $0.store, $0.id, $0.path ?? "") < ($1.kind, $1.store, $1.id, $1.path ?? "")
    }
  }
}
