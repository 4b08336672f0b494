import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Writes files so readers see the old content or the new, never a partial file.
public enum AtomicFile {
  /// A write that failed, with the target file and the system call that failed on it or on
  /// its temporary file.
  public struct WriteError: Error, CustomStringConvertible {
    public var path: String
    public var step: String
    public var errno: Int32

    public var description: String {
      "writing \(path) failed at \(step): \(String(cString: strerror(errno))). "
        + "Check that its directory exists and is writable."
    }
  }

  /// Writes `text` to a temporary file in `path`'s directory, flushes it to disk and renames
  /// it over `path`. The temporary name starts with a dot and has no `.prom` suffix, so
  /// node_exporter's textfile collector never reads it. Mode 0644.
  public static func write(_ text: String, to path: String) throws {
    let directory = (path as NSString).deletingLastPathComponent
    let name = (path as NSString).lastPathComponent
    let temporary = (directory.isEmpty ? "." : directory) + "/.\(name).tmp.\(getpid())"

    let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard fd >= 0 else { throw WriteError(path: path, step: "open", errno: errno) }
    var failure: WriteError?
    let bytes = Array(text.utf8)
    var offset = 0
    while offset < bytes.count && failure == nil {
      let written = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
      if written < 0 && errno != EINTR {
        failure = WriteError(path: path, step: "write", errno: errno)
      }
      if written == 0 { failure = WriteError(path: path, step: "write", errno: EIO) }
      if written > 0 { offset += written }
    }
    if failure == nil && fsync(fd) != 0 {
      failure = WriteError(path: path, step: "fsync", errno: errno)
    }
    close(fd)

    if failure == nil && rename(temporary, path) != 0 {
      failure = WriteError(path: path, step: "rename", errno: errno)
    }
    if let failure {
      unlink(temporary)
      throw failure
    }
  }
}
