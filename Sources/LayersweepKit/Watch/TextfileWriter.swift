import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Writes the metrics textfile for node_exporter's textfile collector atomically: a
/// temporary file in the same directory, fsync, then rename over the target.
///
/// Writes run on a probe slot, so a textfile on a hung filesystem never blocks the loop.
/// While one write is stuck, later contents are skipped.
final class TextfileWriter: @unchecked Sendable {
  let path: String
  private let slot = ProbeSlot()

  init(path: String) {
    self.path = path
  }

  /// Starts writing `contents` unless the previous write is still outstanding.
  /// - Returns: false when the previous write is still outstanding.
  func submit(_ contents: String) throws -> Bool {
    let path = path
    return try slot.start { _ in Self.write(contents, to: path) }
  }

  /// Whether a write is still outstanding.
  var isWriting: Bool { slot.current != nil }

  /// The most recent write that failed, or nil when it succeeded.
  var lastFailure: ProbeFailure? { slot.lastCompletion?.failure }

  static func write(_ contents: String, to path: String) -> ProbeFailure? {
    let temporary = path + ".tmp.\(getpid())"
    let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o644)
    guard descriptor >= 0 else {
      return ProbeFailure(operation: "create", path: temporary, errno: errno)
    }
    let bytes = Array(contents.utf8)
    var offset = 0
    var failure: ProbeFailure?
    while offset < bytes.count {
      let count = bytes[offset...].withUnsafeBytes {
        Glibc.write(descriptor, $0.baseAddress, $0.count)
      }
      if count < 0 && errno == EINTR { continue }
      guard count > 0 else {
        failure = ProbeFailure(operation: "write", path: temporary, errno: errno)
        break
      }
      offset += count
    }
    if failure == nil && fsync(descriptor) != 0 {
      failure = ProbeFailure(operation: "fsync", path: temporary, errno: errno)
    }
    close(descriptor)
    if failure == nil && rename(temporary, path) != 0 {
      failure = ProbeFailure(operation: "rename", path: path, errno: errno)
    }
    if failure != nil { unlink(temporary) }
    return failure
  }
}
