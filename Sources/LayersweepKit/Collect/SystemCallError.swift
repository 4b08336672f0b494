import Glibc

/// A failed system call on a host path, with the `errno` it set.
public struct SystemCallError: Error, Equatable, CustomStringConvertible {
  /// The call that failed, such as `openat` or `readlinkat`.
  public var call: String
  public var path: String
  public var errno: Int32

  public init(call: String, path: String, errno: Int32) {
    self.call = call
    self.path = path
    self.errno = errno
  }

  /// Whether the error means the process or file went away while being read: `ENOENT` and
  /// `ESRCH` from files below `/proc/<pid>`.
  public var isVanished: Bool {
    errno == ENOENT || errno == ESRCH
  }

  public var description: String {
    let reason = String(cString: strerror(errno))
    return "\(path): \(call) failed: \(reason) (errno \(errno))"
  }
}
