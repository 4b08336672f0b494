/// One mounted cgroup hierarchy, v1 or v2.
public struct CgroupHierarchy: Sendable, Equatable {
  /// 1 or 2.
  public var version: Int
  /// Where the hierarchy is mounted, such as `/sys/fs/cgroup/memory`.
  public var mountPoint: String
  /// Controllers bound to a v1 hierarchy (`memory`, `name=systemd`); empty for v2.
  public var controllers: [String]
  /// Every cgroup directory below the root, as a path relative to the mount point
  /// starting with `/`.
  public var cgroups: [String]
  /// `nr_dying_descendants` from the root's `cgroup.stat` (v2 only).
  public var dyingDescendants: Int?

  public init(
    version: Int, mountPoint: String, controllers: [String], cgroups: [String],
    dyingDescendants: Int? = nil
  ) {
    self.version = version
    self.mountPoint = mountPoint
    self.controllers = controllers
    self.cgroups = cgroups
    self.dyingDescendants = dyingDescendants
  }
}

/// One line of `/proc/cgroups`.
public struct CgroupControllerCount: Sendable, Equatable {
  public var controller: String
  public var hierarchyID: Int
  /// The kernel's count of cgroups in the hierarchy, dying ones included.
  public var cgroupCount: Int
  public var isEnabled: Bool

  public init(controller: String, hierarchyID: Int, cgroupCount: Int, isEnabled: Bool) {
    self.controller = controller
    self.hierarchyID = hierarchyID
    self.cgroupCount = cgroupCount
    self.isEnabled = isEnabled
  }
}
