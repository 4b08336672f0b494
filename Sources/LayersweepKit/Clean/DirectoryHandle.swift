import CLinux

#if canImport(Glibc)
  import Glibc
#endif

/// An open directory file descriptor, closed when the handle is released.
final class DirectoryHandle {
  let fd: Int32
  /// The directory's path, for messages only; every call goes through `fd`.
  let path: String

  init(fd: Int32, path: String) {
    self.fd = fd
    self.path = path
  }

  deinit { close(fd) }

  /// Opens a trusted root directory such as a store root. The root itself may be reached
  /// through symlinks the operator configured; nothing below it is.
  static func openRoot(_ root: String) throws -> DirectoryHandle {
    let fd = retryingOnInterrupt { open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
    guard fd >= 0 else { throw SystemCallError.last("open", root) }
    return DirectoryHandle(fd: fd, path: root)
  }

  /// Reads the metadata of `name` in this directory without following a symlink.
  func status(of name: String) throws -> stat {
    var info = stat()
    guard fstatat(fd, name, &info, AT_SYMLINK_NOFOLLOW) == 0 else {
      throw SystemCallError.last("fstatat", child(name))
    }
    return info
  }

  /// The mount id of this directory (statx `STATX_MNT_ID`), which distinguishes bind mounts
  /// of the same filesystem where `st_dev` cannot.
  func mountID() throws -> UInt64 {
    var id: UInt64 = 0
    guard clinux_fd_mount_id(fd, &id) == 0 else {
      throw SystemCallError.last("statx", path)
    }
    return id
  }

  /// Flushes the directory's entries to disk, so a rename or create in it survives a crash.
  func sync() throws {
    guard retryingOnInterrupt({ fsync(fd) }) == 0 else {
      throw SystemCallError.last("fsync", path)
    }
  }

  func child(_ name: String) -> String {
    path == "/" ? "/" + name : path + "/" + name
  }
}
