import Foundation

/// Re-verification for containers/storage findings. Clean acts only on orphaned layers
/// (`overlay/<id>` directories that no layer store records), and only while it holds the
/// store's own locks for writing, so Podman, Buildah and CRI-O wait until the item is in
/// quarantine.
extension ContainersStorageStore: CleanTarget {
  public var cleanRoot: String { graphRoot }

  /// Takes the store's locks for writing, waiting at most `lockTimeout`, around `body`.
  public func withExclusiveAccess<T>(_ body: () throws -> T) throws -> T {
    let locks = try lock(.write, timeout: lockTimeout)
    defer { locks.release() }
    return try body()
  }

  /// Confirms the item only when the store, read again through the audit's code, still
  /// reports the same cleanable orphaned layer. Call it inside `withExclusiveAccess`,
  /// because it reads the metadata without taking the locks itself.
  public func reverify(_ finding: Finding, context: ReverificationContext) -> Reverification {
    let generic = reverifyPath(finding, kinds: [.orphanedLayer], context: context)
    guard generic == .confirmed else { return generic }
    let host = HostSnapshot(namespaces: [
      MountNamespace(inode: 0, pids: [], mounts: context.mounts, isHost: true)
    ])
    let fresh = layerFindings(readUnlocked(host: host), now: context.now)
    return confirmSameFinding(finding, in: fresh)
  }

  /// Returns the layer's `l/<short-id>` link when the layer's `link` file names it and it
  /// points at `../<id>/diff`.
  public func companions(of finding: Finding) -> [String] {
    guard finding.kind == .orphanedLayer, finding.path == driverRoot + "/" + finding.id,
      case .value(let shortID) = StoreFileSystem.text(of: driverRoot + "/" + finding.id + "/link"),
      StoreIdentifier.isSafeComponent(shortID),
      StoreIdentifier.matches(shortID, shape: .shortLink)
    else { return [] }
    let link = driverRoot + "/l/" + shortID
    guard case .value(let target) = StoreFileSystem.linkTarget(of: link),
      target == "../\(finding.id)/diff"
    else { return [] }
    return [link]
  }
}
