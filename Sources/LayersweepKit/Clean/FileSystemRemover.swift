import CLinux

#if canImport(Glibc)
  import Glibc
#endif

/// The remover that changes the host, with fd-relative calls only: each path is opened
/// beneath its root by `PathResolver`, and the final component is acted on through its
/// parent directory's descriptor.
public struct FileSystemRemover: Remover {
  public var resolver: PathResolver

  public init(resolver: PathResolver = PathResolver()) {
    self.resolver = resolver
  }

  public func removeTree(at path: String, beneath root: String) throws {
    let (parent, target) = try openParent(of: path, beneath: root)
    var walk = TreeRemoval(resolver: resolver)
    walk.removeEntry(named: target.name, in: parent)
    guard walk.failures.isEmpty else {
      throw CleanError.removalIncomplete(path: target.path, failures: walk.failures)
    }
    try parent.sync()
  }

  public func rename(_ source: String, to destination: String, beneath root: String) throws {
    let (sourceParent, sourcePath) = try openParent(of: source, beneath: root)
    let (destinationParent, destinationPath) = try openParent(of: destination, beneath: root)
    let result = clinux_rename_noreplace(
      sourceParent.fd, sourcePath.name, destinationParent.fd, destinationPath.name)
    guard result == 0 else {
      let hint =
        errno == EXDEV
        ? "\(destination) is on another filesystem, so the item cannot be moved there" : nil
      throw SystemCallError.last(
        "renameat2", source,
        reason: hint ?? "renaming to \(destination) failed, so nothing was moved")
    }
    try destinationParent.sync()
    try sourceParent.sync()
  }

  public func createDirectory(at path: String, beneath root: String) throws {
    let (parent, target) = try openParent(of: path, beneath: root)
    guard mkdirat(parent.fd, target.name, 0o700) == 0 else {
      if errno == EEXIST, let info = try? parent.status(of: target.name),
        info.st_mode & S_IFMT == S_IFDIR
      {
        return
      }
      throw SystemCallError.last("mkdirat", path)
    }
    try parent.sync()
  }

  public func writeFile(_ contents: [UInt8], to path: String, beneath root: String) throws {
    let (parent, target) = try openParent(of: path, beneath: root)
    let temporaryName = ".\(target.name).tmp"
    unlinkat(parent.fd, temporaryName, 0)
    let flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC
    let fd = retryingOnInterrupt { openat(parent.fd, temporaryName, flags, 0o600) }
    guard fd >= 0 else { throw SystemCallError.last("openat", parent.child(temporaryName)) }
    defer { close(fd) }

    try FileWriting.writeAll(contents, to: fd, path: parent.child(temporaryName))
    guard retryingOnInterrupt({ fsync(fd) }) == 0 else {
      throw SystemCallError.last("fsync", parent.child(temporaryName))
    }
    guard renameat(parent.fd, temporaryName, parent.fd, target.name) == 0 else {
      throw SystemCallError.last("renameat", path)
    }
    try parent.sync()
  }

  /// How long an unmount may take before it is reported as timed out, in milliseconds.
  // NOTE: no test covers the timeout, because that needs a filesystem whose umount blocks.
  static let unmountTimeoutMilliseconds: Int32 = 30_000

  public func unmount(_ target: String) throws {
    try unmountInChild(target, namespace: nil)
  }

  public func unmount(_ target: String, inNamespaceOf pid: Int32) throws {
    try unmountInChild(target, namespace: "/proc/\(pid)/ns/mnt")
  }

  /// Runs umount2 in a child process, so a hung filesystem costs a timeout and not a hang.
  private func unmountInChild(_ target: String, namespace: String?) throws {
    var failedCall: UnsafePointer<CChar>? = nil
    let result = clinux_unmount_in_child(
      namespace, target, Self.unmountTimeoutMilliseconds, &failedCall)
    guard result == 0 else {
      let call = failedCall.map { String(cString: $0) } ?? "umount2"
      let reason = namespace.map { "in the mount namespace \($0)" }
      throw SystemCallError.last(call, target, reason: reason)
    }
  }

  public func removeCgroup(at path: String, beneath root: String) throws {
    let (parent, target) = try openParent(of: path, beneath: root)
    guard unlinkat(parent.fd, target.name, AT_REMOVEDIR) == 0 else {
      throw SystemCallError.last("rmdir", path)
    }
  }

  /// Opens the parent directory of `path` beneath `root`; the root itself is never a target.
  private func openParent(of path: String, beneath root: String) throws
    -> (DirectoryHandle, BeneathPath)
  {
    let target = try BeneathPath(path, beneath: root)
    guard !target.components.isEmpty else {
      throw CleanError.invalidPath(path: path, reason: "it is the root itself")
    }
    let rootHandle = try DirectoryHandle.openRoot(target.root)
    return (try resolver.openDirectory(target.parentComponents, in: rootHandle), target)
  }
}

/// Writes a whole buffer to a descriptor, retrying short writes and `EINTR`.
enum FileWriting {
  static func writeAll(_ contents: [UInt8], to fd: Int32, path: String) throws {
    var offset = 0
    while offset < contents.count {
      let written = contents.withUnsafeBytes { buffer in
        write(fd, buffer.baseAddress! + offset, buffer.count - offset)
      }
      if written < 0 && errno == EINTR { continue }
      guard written > 0 else { throw SystemCallError.last("write", path) }
      offset += written
    }
  }
}
