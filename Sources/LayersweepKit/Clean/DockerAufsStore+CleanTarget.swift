import Foundation

/// Re-verification for Docker aufs findings: orphaned `diff/<id>` layers with their
/// `layers/<id>` file and `mnt/<id>` mount point, stray `mnt/` and `layers/` entries, and
/// `-removing` leftovers. An item is confirmed only when the store, read again through the
/// audit's code against the mount table read just now, reports the same cleanable finding.
///
/// NOTE: covered by checked-in fixtures only, because the kernels this is tested on have no
/// aufs.
extension DockerAufsStore: CleanTarget {
  public var cleanRoot: String { dockerRoot }

  public func reverify(_ finding: Finding, context: ReverificationContext) -> Reverification {
    let generic = reverifyPath(finding, kinds: [.orphanedLayer, .staleRemoval], context: context)
    guard generic == .confirmed else { return generic }
    let host = HostSnapshot(namespaces: [
      MountNamespace(inode: 0, pids: [], mounts: context.mounts, isHost: true)
    ])
    let fresh = audit(host: host, context: AuditContext(now: context.now, measuresBytes: false))
    return confirmSameFinding(finding, in: fresh.findings)
  }

  /// Returns the `layers/<id>` file and `mnt/<id>` mount point of an orphaned `diff/<id>`
  /// layer, those that exist.
  public func companions(of finding: Finding) -> [String] {
    guard finding.kind == .orphanedLayer, finding.path == driverRoot + "/diff/" + finding.id,
      StoreIdentifier.isValid(finding.id)
    else { return [] }
    return ["layers", "mnt"].map { driverRoot + "/" + $0 + "/" + finding.id }.filter {
      if case .value = StoreFileSystem.status(of: $0) { return true }
      return false
    }
  }
}
