import CLinux

#if canImport(Glibc)
  import Glibc
#endif

/// Opens directories beneath a root without following symlinks, using openat2 with
/// `RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS` where the kernel has it (Linux 5.6 and later) and
/// a walk of `openat(O_NOFOLLOW | O_DIRECTORY)` calls, one per component, elsewhere.
public struct PathResolver: Sendable {
  /// Whether openat2 is used; false forces the per-component walk.
  public var usesOpenat2: Bool

  /// Creates a resolver that uses openat2 when the running kernel has it.
  public init(usesOpenat2: Bool = PathResolver.kernelHasOpenat2) {
    self.usesOpenat2 = usesOpenat2
  }

  /// Whether the running kernel implements openat2.
  public static let kernelHasOpenat2: Bool = clinux_kernel_has_openat2() != 0

  /// Opens the directory `components` below `root`. Mount points on the way are allowed
  /// because a store may sit on its own filesystem, but no symlink is ever followed.
  func openDirectory(_ components: [String], in root: DirectoryHandle) throws -> DirectoryHandle {
    guard !components.isEmpty else {
      let fd = retryingOnInterrupt { dup(root.fd) }
      guard fd >= 0 else { throw SystemCallError.last("dup", root.path) }
      return DirectoryHandle(fd: fd, path: root.path)
    }
    let path = root.path + "/" + components.joined(separator: "/")
    if usesOpenat2 {
      let joined = components.joined(separator: "/")
      return try openat2(joined, in: root, path: path, staysOnMount: false)
    }
    var current = root
    for component in components {
      current = try openChild(component, in: current, staysOnMount: false)
    }
    return current
  }

  /// Opens the subdirectory `name` of `parent`. With `staysOnMount` it fails with `EXDEV`
  /// when `name` is a mount point, so a walk never enters another mounted filesystem.
  func openChild(_ name: String, in parent: DirectoryHandle, staysOnMount: Bool) throws
    -> DirectoryHandle
  {
    let path = parent.child(name)
    if usesOpenat2 {
      return try openat2(name, in: parent, path: path, staysOnMount: staysOnMount)
    }
    let flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC
    let fd = retryingOnInterrupt { openat(parent.fd, name, flags) }
    guard fd >= 0 else { throw SystemCallError.last("openat", path) }
    let child = DirectoryHandle(fd: fd, path: path)
    if staysOnMount, try child.mountID() != parent.mountID() {
      throw SystemCallError(call: "statx", path: path, errno: EXDEV)
    }
    return child
  }

  private func openat2(
    _ relative: String, in parent: DirectoryHandle, path: String, staysOnMount: Bool
  )
    throws -> DirectoryHandle
  {
    let flags = UInt64(O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
    // openat2 returns EAGAIN when a rename or mount raced with the lookup; retry a few times.
    var fd: Int32 = -1
    for _ in 0..<8 {
      fd = clinux_openat2_beneath(parent.fd, relative, flags, staysOnMount ? 1 : 0)
      if fd >= 0 || (errno != EINTR && errno != EAGAIN) { break }
    }
    guard fd >= 0 else { throw SystemCallError.last("openat2", path) }
    return DirectoryHandle(fd: fd, path: path)
  }
}
