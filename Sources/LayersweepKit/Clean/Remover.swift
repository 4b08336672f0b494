/// The one interface through which clean, restore and purge change the host: every deletion,
/// rename, unmount and cgroup removal goes through it, so a dry run is the same code with a
/// `RecordingRemover`.
///
/// Every path is checked to lie beneath the given root before any call is made, and no
/// implementation follows a symlink below that root.
public protocol Remover: Sendable {
  /// Removes the file, symlink or directory tree at `path`. A symlink is removed as a link and
  /// never followed. A directory tree is removed without entering another mounted filesystem:
  /// a mount point inside it stays intact and is named in the thrown
  /// `CleanError.removalIncomplete`, while everything else is removed.
  func removeTree(at path: String, beneath root: String) throws

  /// Renames `source` to `destination` with `renameat2(RENAME_NOREPLACE)`, which fails with
  /// `EEXIST` rather than replace anything, and `EXDEV` when they are on different
  /// filesystems. Both directories are fsync'd afterwards.
  func rename(_ source: String, to destination: String, beneath root: String) throws

  /// Creates the directory `path` with mode 0700; an existing directory is accepted.
  func createDirectory(at path: String, beneath root: String) throws

  /// Writes `contents` to `path` through a temporary file, fsync and rename, so readers see
  /// either no file or the whole file.
  func writeFile(_ contents: [UInt8], to path: String, beneath root: String) throws

  /// Unmounts the mount at `target` in this process's mount namespace with `umount2` and
  /// `UMOUNT_NOFOLLOW`: never `MNT_DETACH`, and it fails with `EBUSY` rather than unmount
  /// submounts. An unmount that does not finish within 30 seconds fails with `ETIMEDOUT`.
  func unmount(_ target: String) throws

  /// Unmounts `target` inside the mount namespace of process `pid`, from a child process that
  /// enters that namespace with `setns`. The holder process is never signalled.
  func unmount(_ target: String, inNamespaceOf pid: Int32) throws

  /// Removes the empty cgroup directory `path` with `rmdir`.
  func removeCgroup(at path: String, beneath root: String) throws
}
