import Glibc

/// Lists the directories of one cgroup hierarchy relative to its mount point.
///
/// The walk is fd-relative: every directory is opened with `openat(O_DIRECTORY|O_NOFOLLOW)`
/// below its parent's descriptor and listed with `readdir`, so symbolic links are never
/// followed. A directory on another device than the mount point (another mount) is left
/// out together with everything below it.
struct CgroupWalker {
  let maxDepth: Int
  /// Problems that left part of the tree unlisted.
  private(set) var errors: [AuditError] = []
  private var cgroups: [String] = []
  private var rootDevice: dev_t = 0
  private var mountPoint = ""

  init(maxDepth: Int) {
    self.maxDepth = maxDepth
  }

  /// Returns every directory below `mountPoint`, each as `/a/b`, sorted, so parents come
  /// before their children.
  ///
  /// - Throws: `SystemCallError` when the mount point itself cannot be opened.
  mutating func walk(mountPoint: String) throws -> [String] {
    let root = try FileDescriptor.open(
      mountPoint, flags: O_RDONLY | O_DIRECTORY | O_NOFOLLOW, displayPath: mountPoint)
    var status = stat()
    guard fstat(root, &status) == 0 else {
      let error = SystemCallError(call: "fstat", path: mountPoint, errno: errno)
      close(root)
      throw error
    }
    self.mountPoint = mountPoint
    rootDevice = status.st_dev
    cgroups = []
    list(root, relativePath: "", depth: 0)
    return cgroups.sorted()
  }

  /// Lists the directory open as `descriptor` and descends into its subdirectories. Takes
  /// ownership of `descriptor`.
  private mutating func list(_ descriptor: Int32, relativePath: String, depth: Int) {
    guard let directory = fdopendir(descriptor) else {
      record(call: "fdopendir", relativePath: relativePath, errno: errno)
      close(descriptor)
      return
    }
    defer { closedir(directory) }

    while let entry = readdir(directory) {
      let type = entry.pointee.d_type
      guard type == DT_DIR || type == DT_UNKNOWN, !Self.isDotOrDotDot(entry) else {
        continue
      }
      let name = Self.name(of: entry)
      guard let child = openChild(entry, in: dirfd(directory), relativePath: relativePath)
      else {
        continue
      }
      let childPath = relativePath + "/" + name
      cgroups.append(childPath)
      if depth + 1 < maxDepth {
        list(child, relativePath: childPath, depth: depth + 1)
      } else {
        close(child)
        recordDepthLimit(at: childPath)
      }
    }
  }

  /// Opens a directory entry without following links, or returns nil when it is not a
  /// directory, has gone, or lies on another device.
  private mutating func openChild(
    _ entry: UnsafeMutablePointer<dirent>, in parent: Int32, relativePath: String
  ) -> Int32? {
    let child = withUnsafePointer(to: &entry.pointee.d_name) { name in
      name.withMemoryRebound(to: CChar.self, capacity: 256) { name in
        openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
      }
    }
    guard child >= 0 else {
      // ENOENT: removed meanwhile; ENOTDIR and ELOOP: not a directory, or a link.
      if ![ENOENT, ENOTDIR, ELOOP].contains(errno) {
        record(
          call: "openat", relativePath: relativePath + "/" + Self.name(of: entry), errno: errno)
      }
      return nil
    }
    var status = stat()
    guard fstat(child, &status) == 0, status.st_dev == rootDevice else {
      close(child)
      return nil
    }
    return child
  }

  private mutating func record(call: String, relativePath: String, errno: Int32) {
    let error = SystemCallError(call: call, path: mountPoint + relativePath, errno: errno)
    errors.append(AuditError(store: "cgroup", path: error.path, message: "\(error)"))
  }

  private mutating func recordDepthLimit(at relativePath: String) {
    let message = "cgroup tree deeper than \(maxDepth) levels; cgroups below are not listed"
    errors.append(AuditError(store: "cgroup", path: mountPoint + relativePath, message: message))
  }

  private static func name(of entry: UnsafeMutablePointer<dirent>) -> String {
    withUnsafeBytes(of: &entry.pointee.d_name) { bytes in
      String(decoding: bytes.prefix(while: { $0 != 0 }), as: UTF8.self)
    }
  }

  private static func isDotOrDotDot(_ entry: UnsafeMutablePointer<dirent>) -> Bool {
    withUnsafeBytes(of: &entry.pointee.d_name) { bytes in
      bytes[0] == 0x2E && (bytes[1] == 0 || (bytes[1] == 0x2E && bytes[2] == 0))
    }
  }
}
