/// A failure of clean, restore or purge that is not a single system call.
public enum CleanError: Error, Equatable, Sendable, CustomStringConvertible {
  /// A path, or an id that would become one, was rejected before any call was made.
  case invalidPath(path: String, reason: String)
  /// Another instance holds the lock file.
  case lockHeld(lockPath: String, holderPID: Int32?)
  /// A removal left parts of a tree in place; each failure names its path.
  case removalIncomplete(path: String, failures: [SystemCallError])
  /// A quarantine id was not found under any trash directory.
  case quarantineNotFound(id: String, trashDirectories: [String])
  /// A manifest or report could not be read or parsed.
  case unreadableFile(path: String, reason: String)
  /// The run needs confirmation but standard input is not a terminal.
  case confirmationUnavailable
  /// A runtime holds the lock of a store file, so clean leaves the store alone.
  case storeLocked(path: String, reason: String)

  public var description: String {
    switch self {
    case .invalidPath(let path, let reason):
      return "rejected path \(path): \(reason)"
    case .lockHeld(let lockPath, let holderPID):
      let holder = holderPID.map { "process \($0)" } ?? "another process"
      return "another layersweep run holds the lock \(lockPath) (held by \(holder)); "
        + "wait for it to finish, or pass --lock to use a different lock file"
    case .removalIncomplete(let path, let failures):
      let details = failures.prefix(5).map(\.description).joined(separator: "; ")
      let more = failures.count > 5 ? " (and \(failures.count - 5) more)" : ""
      return "could not remove all of \(path): \(details)\(more)"
    case .quarantineNotFound(let id, let trashDirectories):
      return "no quarantined item with id \(id) under "
        + trashDirectories.joined(separator: ", ")
        + "; run 'layersweep restore --list' to see the ids"
    case .unreadableFile(let path, let reason):
      return "cannot read \(path): \(reason)"
    case .storeLocked(let path, let reason):
      return "\(path) is locked: \(reason)"
    case .confirmationUnavailable:
      return "standard input is not a terminal, so the plan cannot be confirmed; "
        + "pass --yes to run unattended or --dry-run to only print the plan"
    }
  }
}
