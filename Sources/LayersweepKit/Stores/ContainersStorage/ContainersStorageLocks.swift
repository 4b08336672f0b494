import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// The fcntl record locks containers/storage guards its metadata with, held by layersweep so
/// it never reads or changes a store while Podman, Buildah or CRI-O writes it.
///
/// containers/storage takes classic POSIX record locks (`F_SETLKW`) on whole lock files.
/// These are open file description locks (`F_OFD_SETLK`), which conflict with classic
/// locks in both directions but belong to the descriptor, so closing another descriptor of
/// the same file in this process does not drop them. Taken in the library's order: layers,
/// mount points, images, containers.
public final class ContainersStorageLocks {
  /// Shared locks for reading, or exclusive ones for changing the store.
  public enum Mode: Sendable {
    case read, write
  }

  private var descriptors: [Int32]

  private init(descriptors: [Int32]) {
    self.descriptors = descriptors
  }

  deinit {
    release()
  }

  /// Lists the lock files of a store in locking order.
  public static func lockFiles(graphRoot: String, runRoot: String) -> [String] {
    [
      graphRoot + "/overlay-layers/layers.lock",
      runRoot + "/overlay-layers/mountpoints.lock",
      graphRoot + "/overlay-images/images.lock",
      graphRoot + "/overlay-containers/containers.lock",
    ]
  }

  /// Takes every lock of the store in `mode`, waiting at most `timeout` seconds in all.
  ///
  /// A lock file that does not exist is skipped, because no runtime can hold it either;
  /// none is created. Throws `StoreLockError` naming the file when a lock cannot be taken
  /// in time or the file cannot be opened, after releasing the locks already held.
  public static func acquire(
    graphRoot: String, runRoot: String, mode: Mode, timeout: TimeInterval
  ) throws -> ContainersStorageLocks {
    let deadline = Date().addingTimeInterval(timeout)
    let locks = ContainersStorageLocks(descriptors: [])
    for path in lockFiles(graphRoot: graphRoot, runRoot: runRoot) {
      guard let descriptor = try openLockFile(path, mode: mode) else { continue }
      locks.descriptors.append(descriptor)
      try lock(descriptor, path: path, mode: mode, deadline: deadline)
    }
    return locks
  }

  /// Releases every lock. Safe to call more than once.
  public func release() {
    for descriptor in descriptors.reversed() {
      close(descriptor)
    }
    descriptors = []
  }

  private static func openLockFile(_ path: String, mode: Mode) throws -> Int32? {
    let flags = (mode == .read ? O_RDONLY : O_RDWR) | O_CLOEXEC | O_NOFOLLOW
    let descriptor = open(path, flags)
    if descriptor >= 0 { return descriptor }
    let code = errno
    if code == ENOENT { return nil }
    throw StoreLockError(path: path, message: "cannot open lock file: \(errnoText(code))")
  }

  /// Polls a non-blocking lock until `deadline`, so a runtime that holds the lock for a
  /// long time makes the audit fail instead of hang.
  private static func lock(
    _ descriptor: Int32, path: String, mode: Mode, deadline: Date
  ) throws {
    var request = flock()
    request.l_type = Int16(mode == .read ? F_RDLCK : F_WRLCK)
    request.l_whence = Int16(SEEK_SET)
    while true {
      if fcntl(descriptor, openFileDescriptionSetLock, &request) == 0 { return }
      let code = errno
      guard code == EAGAIN || code == EACCES || code == EINTR else {
        throw StoreLockError(path: path, message: "fcntl lock failed: \(errnoText(code))")
      }
      guard Date() < deadline else {
        throw StoreLockError(
          path: path,
          message: "timed out waiting for the lock, which a runtime still holds for writing;"
            + " retry when Podman, Buildah or CRI-O has finished")
      }
      usleep(10_000)
    }
  }

  /// `F_OFD_SETLK` from `<fcntl.h>`, which Glibc declares only under `_GNU_SOURCE`.
  private static let openFileDescriptionSetLock: Int32 = 37

  private static func errnoText(_ code: Int32) -> String {
    String(cString: strerror(code))
  }
}

/// A store lock that could not be taken.
public struct StoreLockError: Error, Equatable, CustomStringConvertible {
  /// The lock file.
  public var path: String
  public var message: String

  public var description: String { "\(path): \(message)" }
}
