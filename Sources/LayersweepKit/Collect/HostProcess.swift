/// One process as read from `/proc/<pid>`.
public struct HostProcess: Sendable, Equatable {
  public var pid: Int32
  public var parentPID: Int32
  /// The one-letter state from `/proc/<pid>/stat`: R, S, D, Z, T, t, X, I.
  public var state: Character
  /// The command name from `/proc/<pid>/stat` (`comm`), at most 15 bytes.
  public var command: String
  /// The arguments from `/proc/<pid>/cmdline`; empty for kernel threads and zombies.
  public var arguments: [String]
  /// Start time in clock ticks after boot, field 22 of `/proc/<pid>/stat`.
  public var startTicks: UInt64
  /// The inode of `/proc/<pid>/ns/mnt`, when readable.
  public var mountNamespace: UInt64?
  /// The lines of `/proc/<pid>/cgroup`.
  public var cgroups: [CgroupMembership]

  public init(
    pid: Int32, parentPID: Int32, state: Character, command: String, arguments: [String],
    startTicks: UInt64, mountNamespace: UInt64?, cgroups: [CgroupMembership]
  ) {
    self.pid = pid
    self.parentPID = parentPID
    self.state = state
    self.command = command
    self.arguments = arguments
    self.startTicks = startTicks
    self.mountNamespace = mountNamespace
    self.cgroups = cgroups
  }
}

/// One line of `/proc/<pid>/cgroup`: `hierarchy-ID:controller-list:cgroup-path`.
public struct CgroupMembership: Sendable, Equatable {
  /// 0 for the cgroup v2 unified hierarchy.
  public var hierarchyID: Int
  /// Controllers such as `cpu,cpuacct` or `name=systemd`; empty for v2.
  public var controllers: [String]
  /// The cgroup's path relative to its hierarchy's root, starting with `/`.
  public var path: String

  public init(hierarchyID: Int, controllers: [String], path: String) {
    self.hierarchyID = hierarchyID
    self.controllers = controllers
    self.path = path
  }
}
