import Foundation

/// A container as its store records it on disk, in the form every store adapter shares. The
/// cross-checks compare these records with the mount table, `/proc` and the cgroup trees.
public struct ContainerRecord: Sendable, Equatable {
  /// The store the record came from, such as `docker-overlay2`.
  public var store: String
  /// The runtime that names the container's cgroups: `docker`, `libpod`, `crio`,
  /// `cri-containerd`.
  public var runtime: String
  /// The full container id.
  public var id: String
  public var name: String?
  public var recordedState: RecordedState
  /// The pid of the container's init process as recorded, when the record says it runs.
  public var pid: Int32?
  /// When the record says the container last started.
  public var startedAt: Date?
  /// Mount points that belong to this container: its root filesystem (`merged`), shm and
  /// network namespace bind mounts.
  public var mountPoints: [String]
  /// The file the record was read from, for evidence and errors.
  public var sourcePath: String
  /// The state the runtime's API reported for the container, such as `running` or `exited`;
  /// nil when the API did not answer or did not list the container.
  public var runtimeReportedState: String?
  /// When the store last wrote the record, such as the mtime of Docker's container
  /// directory, which changes with every atomic rewrite of `config.v2.json`; nil when unknown.
  public var recordModifiedAt: Date?

  public init(
    store: String, runtime: String, id: String, name: String? = nil,
    recordedState: RecordedState, pid: Int32? = nil, startedAt: Date? = nil,
    mountPoints: [String] = [], sourcePath: String, runtimeReportedState: String? = nil,
    recordModifiedAt: Date? = nil
  ) {
    self.recordModifiedAt = recordModifiedAt
    self.store = store
    self.runtime = runtime
    self.id = id
    self.name = name
    self.recordedState = recordedState
    self.pid = pid
    self.startedAt = startedAt
    self.mountPoints = mountPoints
    self.sourcePath = sourcePath
    self.runtimeReportedState = runtimeReportedState
  }
}

/// A container's state as its store last wrote it.
public enum RecordedState: String, Sendable, Equatable {
  case created, running, paused, restarting, exited, dead, unknown

  /// Whether the record claims a live process.
  public var claimsProcess: Bool {
    self == .running || self == .paused || self == .restarting
  }
}
