#if canImport(Glibc)
  import Glibc
#endif

/// One depth-first removal of a directory tree through directory descriptors. It keeps going
/// after a failure, so everything removable is removed, and collects the failures.
///
/// Directories are entered only on the same mount (`RESOLVE_NO_XDEV`, or a statx mount id
/// comparison), so a bind mount or tmpfs inside the tree stays intact. The mount point is
/// recorded as a failure with `EXDEV`, and its ancestors stay because they are not empty.
struct TreeRemoval {
  let resolver: PathResolver
  private(set) var failures: [SystemCallError] = []

  /// How many times a directory is reread when rmdir still finds entries in it.
  private static let maxRescans = 3

  init(resolver: PathResolver) {
    self.resolver = resolver
  }

  /// Removes the entry `name` of `parent`: unlinks a file or symlink, or empties and removes
  /// a directory.
  mutating func removeEntry(named name: String, in parent: DirectoryHandle) {
    let info: stat
    do {
      info = try parent.status(of: name)
    } catch let error as SystemCallError {
      failures.append(error)
      return
    } catch {
      return
    }
    guard info.st_mode & S_IFMT == S_IFDIR else {
      if unlinkat(parent.fd, name, 0) != 0 {
        failures.append(.last("unlinkat", parent.child(name)))
      }
      return
    }
    removeDirectory(named: name, in: parent)
  }

  /// One open directory on the walk's stack.
  private final class Frame {
    let handle: DirectoryHandle
    let stream: OpaquePointer
    let name: String
    var isIncomplete = false
    var rescans = 0

    init(handle: DirectoryHandle, stream: OpaquePointer, name: String) {
      self.handle = handle
      self.stream = stream
      self.name = name
    }

    /// Closes the stream, which owns a duplicate of the handle's descriptor.
    deinit { closedir(stream) }
  }

  private mutating func removeDirectory(named name: String, in parent: DirectoryHandle) {
    guard let first = open(name, in: parent) else { return }
    var stack = [first]
    var parents = [parent]

    while let top = stack.last {
      if let entry = readdir(top.stream) {
        if let child = visit(entry, in: top) {
          parents.append(top.handle)
          stack.append(child)
        }
        continue
      }
      if finish(top, parent: parents.last!) { continue }
      stack.removeLast()
      parents.removeLast()
      if top.isIncomplete { stack.last?.isIncomplete = true }
    }
  }

  /// Unlinks a non-directory entry, or opens a directory entry and returns its frame.
  private mutating func visit(_ entry: UnsafeMutablePointer<dirent>, in frame: Frame) -> Frame? {
    let type = entry.pointee.d_type
    return withUnsafePointer(to: &entry.pointee.d_name) { tuple in
      tuple.withMemoryRebound(to: CChar.self, capacity: 256) { name -> Frame? in
        if Self.isDotOrDotDot(name) { return nil }
        var isDirectory = type == UInt8(DT_DIR)
        if type == UInt8(DT_UNKNOWN) {
          var info = stat()
          if fstatat(frame.handle.fd, name, &info, AT_SYMLINK_NOFOLLOW) != 0 {
            failures.append(.last("fstatat", frame.handle.child(String(cString: name))))
            frame.isIncomplete = true
            return nil
          }
          isDirectory = info.st_mode & S_IFMT == S_IFDIR
        }
        if isDirectory {
          let child = open(String(cString: name), in: frame.handle)
          if child == nil { frame.isIncomplete = true }
          return child
        }
        if unlinkat(frame.handle.fd, name, 0) != 0 {
          failures.append(.last("unlinkat", frame.handle.child(String(cString: name))))
          frame.isIncomplete = true
        }
        return nil
      }
    }
  }

  /// Removes an emptied directory. Returns true when the directory must be read again because
  /// entries appeared while it was being read.
  private mutating func finish(_ frame: Frame, parent: DirectoryHandle) -> Bool {
    if frame.isIncomplete { return false }
    if unlinkat(parent.fd, frame.name, AT_REMOVEDIR) == 0 { return false }
    if errno == ENOTEMPTY && frame.rescans < Self.maxRescans {
      frame.rescans += 1
      rewinddir(frame.stream)
      return true
    }
    failures.append(.last("unlinkat", frame.handle.path))
    frame.isIncomplete = true
    return false
  }

  /// Opens a subdirectory on the same mount, or records why it cannot be entered.
  private mutating func open(_ name: String, in parent: DirectoryHandle) -> Frame? {
    do {
      let handle = try resolver.openChild(name, in: parent, staysOnMount: true)
      let streamFD = dup(handle.fd)
      guard streamFD >= 0, let stream = fdopendir(streamFD) else {
        if streamFD >= 0 { close(streamFD) }
        failures.append(.last("fdopendir", handle.path))
        return nil
      }
      return Frame(handle: handle, stream: stream, name: name)
    } catch var error as SystemCallError {
      if error.errno == EXDEV {
        error.reason = "another filesystem is mounted here; it was left intact"
      } else if error.errno == ELOOP {
        error.reason = "it is a symbolic link, which is never followed"
      }
      failures.append(error)
      return nil
    } catch {
      return nil
    }
  }

  private static func isDotOrDotDot(_ name: UnsafePointer<CChar>) -> Bool {
    name[0] == 0x2E && (name[1] == 0 || (name[1] == 0x2E && name[2] == 0))
  }
}
