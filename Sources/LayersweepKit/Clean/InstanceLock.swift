import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// An exclusive `flock` on a lock file that keeps a second clean, restore or purge from
/// running at the same time. The holder's pid is written into the file for the message a
/// second run prints. The lock is released when the object is released or the process ends.
public final class InstanceLock {
  /// The default lock location.
  public static let defaultPath = "/run/layersweep.lock"

  public let path: String
  private let fd: Int32

  /// Takes the lock without waiting, or throws `CleanError.lockHeld` naming the holder.
  public init(path: String) throws {
    let directory = (path as NSString).deletingLastPathComponent
    try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    let descriptor = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o644)
    guard descriptor >= 0 else { throw SystemCallError.last("open", path) }
    guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
      let error = SystemCallError.last("flock", path)
      let holder = Self.readHolder(descriptor)
      close(descriptor)
      if error.errno == EWOULDBLOCK {
        throw CleanError.lockHeld(lockPath: path, holderPID: holder)
      }
      throw error
    }
    self.path = path
    self.fd = descriptor
    writeHolder()
  }

  deinit {
    flock(fd, LOCK_UN)
    close(fd)
  }

  private func writeHolder() {
    let text = Array("\(getpid())\n".utf8)
    _ = ftruncate(fd, 0)
    _ = text.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
  }

  private static func readHolder(_ fd: Int32) -> Int32? {
    var buffer = [UInt8](repeating: 0, count: 32)
    let count = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
    guard count > 0 else { return nil }
    let text = String(decoding: buffer[0..<count], as: UTF8.self)
    return Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
  }
}
