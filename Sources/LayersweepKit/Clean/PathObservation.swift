import CLinux
import Foundation

/// The identity and modification time of a path, read with `lstat` and statx, so a later
/// reading can tell whether the object was replaced or changed.
public struct PathObservation: Equatable, Sendable {
  public var device: UInt64
  public var inode: UInt64
  /// The file type bits of `st_mode`, such as `S_IFDIR`.
  public var fileType: UInt32
  public var modifiedSeconds: Int
  public var modifiedNanoseconds: Int
  /// The statx mount id; nil on kernels that do not report it.
  public var mountID: UInt64?

  /// Reads `path` without following a final symlink.
  public static func read(_ path: String) throws -> PathObservation {
    var info = stat()
    guard lstat(path, &info) == 0 else { throw SystemCallError.last("lstat", path) }
    var mountID: UInt64 = 0
    let hasMountID = clinux_path_mount_id(path, &mountID) == 0
    return PathObservation(
      device: UInt64(info.st_dev), inode: UInt64(info.st_ino),
      fileType: UInt32(info.st_mode) & UInt32(S_IFMT), modifiedSeconds: info.st_mtim.tv_sec,
      modifiedNanoseconds: info.st_mtim.tv_nsec, mountID: hasMountID ? mountID : nil)
  }

  public var isSymbolicLink: Bool { fileType == UInt32(S_IFLNK) }
  public var isDirectory: Bool { fileType == UInt32(S_IFDIR) }

  /// Seconds from the modification time to `now`.
  public func age(at now: Date) -> Int64 {
    Int64(now.timeIntervalSince1970) - Int64(modifiedSeconds)
  }
}
