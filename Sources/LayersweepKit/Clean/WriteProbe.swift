import CLinux
import Foundation

/// Checks that a store's filesystem still completes writes before clean acts there, so a
/// frozen or hung filesystem makes clean skip its items instead of hanging.
enum WriteProbe {
  /// The maximum time a probe waits before the filesystem counts as hung.
  static let timeoutMilliseconds: Int32 = 10_000

  /// Creates and removes `<root>/.layersweep-probe-<pid>` from a child process, and returns
  /// nil when both finished within the timeout, else the error.
  static func check(root: String, timeoutMilliseconds: Int32 = timeoutMilliseconds)
    -> SystemCallError?
  {
    let probe = "\(root)/.layersweep-probe-\(getpid())"
    guard clinux_probe_write_in_child(probe, timeoutMilliseconds) != 0 else { return nil }
    let reason =
      errno == ETIMEDOUT
      ? "the filesystem did not complete a write within \(timeoutMilliseconds / 1000) s; it may "
        + "be frozen or hung, so nothing on it was touched"
      : nil
    return SystemCallError(call: "mkdir", path: probe, errno: errno, reason: reason)
  }
}
