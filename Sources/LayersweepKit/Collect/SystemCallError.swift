import Glibc

/// A failed system call on a host path, with the `errno` it set.
public struct SystemCallError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The call that failed, such as `openat` or `renameat2`.
  public var call: String
  /// The path the call was made on, as the operator would type it.
  public var path: String
  public var errno: Int32
  /// The consequence for the item, when errno alone does not explain it.
  public var reason: String?

  public init(call: String, path: String, errno: Int32, reason: String? = nil) {
    self.call = call
    self.path = path
    self.errno = errno
    self.reason = reason
  }

  /// Captures the calling thread's errno right after a failed call.
  static func last(_ call: String, _ path: String, reason: String? = nil) -> SystemCallError {
    SystemCallError(call: call, path: path, errno: Glibc.errno, reason: reason)
  }

  /// Whether the error means the process or file went away while being read: `ENOENT` and
  /// `ESRCH` from files below `/proc/<pid>`.
  public var isVanished: Bool {
    errno == ENOENT || errno == ESRCH
  }

  public var description: String {
    let message = "\(path): \(call) failed: \(String(cString: strerror(errno))) (errno \(errno))"
    return reason.map { "\(message): \($0)" } ?? message
  }
}
