import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Re-verification for containerd's overlayfs snapshotter, which clean acts on only while
/// containerd is stopped. A running containerd holds an exclusive `flock` on its bbolt
/// databases, as the live tests observe. Clean takes the same locks without waiting, so it
/// skips every item while containerd runs, and a containerd that starts meanwhile cannot take
/// them until the item is in quarantine.
extension ContainerdStore: CleanTarget {
  public var cleanRoot: String { root }

  public func withExclusiveAccess<T>(_ body: () throws -> T) throws -> T {
    var descriptors: [Int32] = []
    defer { descriptors.forEach { close($0) } }
    for path in [snapshotterDatabasePath, metadataDatabasePath] {
      if let descriptor = try Self.lockDatabase(path) { descriptors.append(descriptor) }
    }
    return try body()
  }

  /// Confirms the item only when containerd's databases and snapshot directories, read again
  /// through the audit's code, still yield the same cleanable finding.
  public func reverify(_ finding: Finding, context: ReverificationContext) -> Reverification {
    let generic = reverifyPath(finding, kinds: [.orphanedLayer, .staleRemoval], context: context)
    guard generic == .confirmed else { return generic }
    let auditContext = AuditContext(now: context.now, measuresBytes: false)
    var errors: [AuditError] = []
    let state: ContainerdState
    do {
      state = try readState(context: auditContext, errors: &errors)
    } catch {
      return .changed("\(error.path) could not be read again: \(error.message)")
    }
    let fresh = ContainerdFindings(store: self, state: state, context: auditContext).all()
    return confirmSameFinding(finding, in: fresh)
  }

  /// Opens `path` and takes an exclusive `flock` without waiting. Returns nil when the file
  /// does not exist, and throws when containerd (or another process) holds the lock.
  private static func lockDatabase(_ path: String) throws -> Int32? {
    let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
    guard descriptor >= 0 else {
      if errno == ENOENT { return nil }
      throw CleanError.unreadableFile(
        path: path, reason: "it could not be opened to lock it: \(String(cString: strerror(errno)))"
      )
    }
    guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
      let code = errno
      close(descriptor)
      guard code == EWOULDBLOCK else {
        throw CleanError.unreadableFile(
          path: path, reason: "flock failed: \(String(cString: strerror(code)))")
      }
      throw CleanError.storeLocked(
        path: path,
        reason: "containerd is running. Clean acts on containerd's snapshots only while "
          + "containerd is stopped, so stop it and rerun clean, or remove the snapshot with "
          + "ctr snapshots rm")
    }
    return descriptor
  }
}
