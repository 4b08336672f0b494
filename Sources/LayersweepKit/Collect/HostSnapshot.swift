import Foundation

/// A read-only picture of the host taken once per run: mount namespaces, processes and
/// cgroup hierarchies. Stores are read separately, each by its own adapter.
public struct HostSnapshot: Sendable {
  /// Every distinct mount namespace, the host's own first.
  public var namespaces: [MountNamespace]
  /// Every process, by pid.
  public var processes: [Int32: HostProcess]
  public var cgroupHierarchies: [CgroupHierarchy]
  /// The lines of `/proc/cgroups`.
  public var cgroupCounts: [CgroupControllerCount]
  /// The kernel's clock ticks per second (`sysconf(_SC_CLK_TCK)`), for process start times.
  public var clockTicksPerSecond: UInt64
  /// Boot time in seconds since the epoch, from `btime` in `/proc/stat`.
  public var bootTime: UInt64
  /// When the snapshot was taken.
  public var takenAt: Date
  /// Problems that left part of the host unread, such as a hierarchy that vanished mid-walk
  /// or a malformed `/proc/<pid>` file. The rest of the snapshot is complete.
  public var errors: [AuditError]

  public init(
    namespaces: [MountNamespace] = [], processes: [Int32: HostProcess] = [:],
    cgroupHierarchies: [CgroupHierarchy] = [], cgroupCounts: [CgroupControllerCount] = [],
    clockTicksPerSecond: UInt64 = 100, bootTime: UInt64 = 0, takenAt: Date = Date(),
    errors: [AuditError] = []
  ) {
    self.namespaces = namespaces
    self.processes = processes
    self.cgroupHierarchies = cgroupHierarchies
    self.cgroupCounts = cgroupCounts
    self.clockTicksPerSecond = clockTicksPerSecond
    self.bootTime = bootTime
    self.takenAt = takenAt
    self.errors = errors
  }

  /// The mount table of the namespace layersweep runs in.
  public var hostMounts: [MountEntry] {
    namespaces.first(where: \.isHost)?.mounts ?? []
  }
}
