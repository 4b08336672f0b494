import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Removes test sandboxes whose owning test process died before its teardown ran, such as
/// after a crash or a SIGKILL of the test runner. A live sandbox is recognised by the
/// `flock` its owner holds on `<sandbox>/lock`.
enum SandboxSweep {
  static let prefix = "/tmp/lsw-it-"

  /// Sandboxes younger than this without a lock file may still be in creation.
  static let creationGraceSeconds: TimeInterval = 60

  static func removeAbandoned() {
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/tmp")) ?? []
    for entry in entries where "/tmp/\(entry)".hasPrefix(prefix) {
      let sandbox = "/tmp/\(entry)"
      if isAbandoned(sandbox) { remove(sandbox) }
    }
  }

  private static func isAbandoned(_ sandbox: String) -> Bool {
    let lockPath = "\(sandbox)/lock"
    guard HostState.exists(lockPath) else {
      let attributes = try? FileManager.default.attributesOfItem(atPath: sandbox)
      let modified = attributes?[.modificationDate] as? Date ?? Date()
      return Date().timeIntervalSince(modified) > creationGraceSeconds
    }
    guard let descriptor = try? Descriptor.open(lockPath, flags: O_RDWR) else { return false }
    defer { close(descriptor) }
    return flock(descriptor, LOCK_EX | LOCK_NB) == 0
  }

  /// Removes an abandoned sandbox the way `DockerDaemon.tearDown()` does, with the cgroup
  /// parent read from `<sandbox>/cgroup-parent`.
  private static func remove(_ sandbox: String) {
    SandboxCleanup.killAndWait(SandboxCleanup.processes(mentioning: sandbox))
    DockerDaemon.removeShimSockets(sandbox: sandbox)
    let parent = (try? String(contentsOfFile: "\(sandbox)/cgroup-parent", encoding: .utf8))?
      .trimmingCharacters(in: .whitespacesAndNewlines)
    if let parent, parent.hasPrefix("lsw-"), !parent.contains("/"), parent.count > 4 {
      SandboxCleanup.removeCgroups(relative: parent)
    }
    SandboxCleanup.unmountAll(under: sandbox)
    SandboxCleanup.removeTree(sandbox, immutablePaths: [])
  }
}
