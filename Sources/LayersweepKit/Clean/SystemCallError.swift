#if canImport(Glibc)
  import Glibc
#endif

/// A failed system call on a named path, with the errno it returned.
public struct SystemCallError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The path the call was made on, as the operator would type it.
  public var path: String
  /// The system call's name, such as `unlinkat` or `renameat2`.
  public var syscall: String
  public var errno: Int32
  /// The consequence for the item, when errno alone does not explain it.
  public var reason: String?

  public init(path: String, syscall: String, errno: Int32, reason: String? = nil) {
    self.path = path
    self.syscall = syscall
    self.errno = errno
    self.reason = reason
  }

  /// Captures the calling thread's errno right after a failed call.
  static func last(_ syscall: String, _ path: String, reason: String? = nil) -> SystemCallError {
    SystemCallError(path: path, syscall: syscall, errno: Glibc.errno, reason: reason)
  }

  public var description: String {
    let message = String(cString: strerror(errno))
    let prefix = "\(syscall) \(path): \(message) (errno \(errno))"
    return reason.map { "\(prefix): \($0)" } ?? prefix
  }
}

/// Retries a system call that failed with `EINTR`.
@inline(__always)
func retryingOnInterrupt(_ call: () -> Int32) -> Int32 {
  while true {
    let result = call()
    if result >= 0 || Glibc.errno != EINTR { return result }
  }
}
