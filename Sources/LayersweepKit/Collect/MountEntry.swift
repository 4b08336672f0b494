/// One line of a mountinfo table, as libmount parsed it, with octal escapes such as `\040`
/// already decoded.
public struct MountEntry: Sendable, Equatable {
  public var mountID: Int
  public var parentID: Int
  /// `major:minor` of the filesystem's device.
  public var device: String
  /// The root of the mount within its filesystem.
  public var root: String
  /// The mount point, as seen in the namespace the table was read from.
  public var target: String
  public var fsType: String
  public var source: String
  /// Per-mount options such as `rw,nosuid,relatime`.
  public var vfsOptions: String
  /// Per-superblock options such as `lowerdir=...,upperdir=...`.
  public var fsOptions: String
  /// Propagation fields such as `shared:5 master:1`, space-separated.
  public var optionalFields: String

  public init(
    mountID: Int, parentID: Int, device: String, root: String, target: String,
    fsType: String, source: String, vfsOptions: String, fsOptions: String,
    optionalFields: String = ""
  ) {
    self.mountID = mountID
    self.parentID = parentID
    self.device = device
    self.root = root
    self.target = target
    self.fsType = fsType
    self.source = source
    self.vfsOptions = vfsOptions
    self.fsOptions = fsOptions
    self.optionalFields = optionalFields
  }
}

/// The mount table of one mount namespace, and the processes that live in it.
public struct MountNamespace: Sendable, Equatable {
  /// The namespace's inode number, from `/proc/<pid>/ns/mnt`.
  public var inode: UInt64
  /// Every process seen in the namespace, in ascending order.
  public var pids: [Int32]
  public var mounts: [MountEntry]
  /// Whether this is the namespace layersweep itself runs in.
  public var isHost: Bool

  public init(inode: UInt64, pids: [Int32], mounts: [MountEntry], isHost: Bool) {
    self.inode = inode
    self.pids = pids
    self.mounts = mounts
    self.isHost = isHost
  }
}
