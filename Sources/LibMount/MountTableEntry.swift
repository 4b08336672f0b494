import CMount
import Glibc

/// One mountinfo line, copied out of libmount with octal escapes such as `\040` decoded.
public struct MountTableEntry: Sendable, Equatable {
  /// The mount ID, unique within the namespace while the mount exists.
  public var id: Int
  /// The mount ID of the parent mount, or of itself for the namespace root.
  public var parentID: Int
  /// The device of the mounted filesystem.
  public var device: DeviceNumber
  /// The directory of the filesystem that forms the root of this mount.
  public var root: String
  /// The mount point. libmount drops a trailing ` (deleted)`, which the kernel appends when
  /// the mount point was removed.
  public var target: String
  public var fsType: String
  /// The mount source, such as `/dev/sda1` or `overlay`; empty when the kernel shows none.
  public var source: String
  /// Per-mount options such as `rw,nosuid,relatime`.
  public var vfsOptions: String
  /// Per-superblock options such as `rw,lowerdir=...,upperdir=...`.
  public var fsOptions: String
  /// Propagation fields such as `shared:5 master:1`, space-separated; empty when none.
  public var optionalFields: String

  public init(
    id: Int, parentID: Int, device: DeviceNumber, root: String, target: String,
    fsType: String, source: String, vfsOptions: String, fsOptions: String,
    optionalFields: String
  ) {
    self.id = id
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

  /// Copies the fields of a `libmnt_fs`, or returns nil when it has no mount root, which
  /// means libmount parsed the line as fstab rather than mountinfo.
  init?(copying fs: OpaquePointer) {
    guard let rootPointer = mnt_fs_get_root(fs) else {
      return nil
    }
    id = Int(mnt_fs_get_id(fs))
    parentID = Int(mnt_fs_get_parent_id(fs))
    device = DeviceNumber(mnt_fs_get_devno(fs))
    root = String(cString: rootPointer)
    target = copyString(mnt_fs_get_target(fs))
    fsType = copyString(mnt_fs_get_fstype(fs))
    source = copyString(mnt_fs_get_source(fs))
    vfsOptions = copyString(mnt_fs_get_vfs_options(fs))
    fsOptions = copyString(mnt_fs_get_fs_options(fs))
    optionalFields = copyString(mnt_fs_get_optional_fields(fs))
  }
}

/// A device number split into its major and minor parts, written `major:minor`.
public struct DeviceNumber: Sendable, Hashable, CustomStringConvertible {
  public var major: UInt32
  public var minor: UInt32

  public init(major: UInt32, minor: UInt32) {
    self.major = major
    self.minor = minor
  }

  /// Splits a `dev_t` with glibc's encoding: the major number in bits 8-19 and 32-43, the
  /// minor number in bits 0-7 and 20-31.
  public init(_ device: dev_t) {
    let value = UInt64(device)
    major = UInt32(truncatingIfNeeded: ((value >> 8) & 0xfff) | ((value >> 32) & 0xffff_f000))
    minor = UInt32(truncatingIfNeeded: (value & 0xff) | ((value >> 12) & 0xffff_ff00))
  }

  public var description: String {
    "\(major):\(minor)"
  }
}

/// Copies a string that libmount lends, or returns an empty string for NULL.
private func copyString(_ pointer: UnsafePointer<CChar>?) -> String {
  guard let pointer else {
    return ""
  }
  return String(cString: pointer)
}
