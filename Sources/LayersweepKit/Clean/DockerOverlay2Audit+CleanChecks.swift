import Foundation

/// Reads of a fresh audit that clean needs beyond the findings: short links, `lower` files
/// and which layer directory a `layerdb/sha256` entry alone names.
extension DockerOverlay2Audit {
  /// Returns `overlay2/l/<short-id>` of layer `id` when the layer's `link` file names a valid
  /// short id and that symlink points at `../<id>/diff`.
  func shortLinkPath(ofLayer id: String) -> String? {
    guard let shortID = shortID(ofLayer: id) else { return nil }
    let link = layout.link(shortID)
    guard case .value(let target) = StoreFileSystem.linkTarget(of: link), target == "../\(id)/diff"
    else { return nil }
    return link
  }

  /// Returns the name of another layer whose `lower` file lists layer `id`'s short link, with
  /// that short id. Such a layer is the child of `id` in an overlay, so `id` is in use even
  /// when no metadata names it.
  func layerListing(shortLinkOf id: String) -> (layer: String, shortID: String)? {
    guard let shortID = shortID(ofLayer: id) else { return nil }
    for name in layers.keys.sorted() where name != id && layerIsDirectory(name) {
      guard case .value(let text) = StoreFileSystem.text(of: layout.layer(name) + "/lower") else {
        continue
      }
      let lowers = text.split(separator: ":").map {
        $0.trimmingCharacters(in: .whitespacesAndNewlines)
      }
      if lowers.contains("l/\(shortID)") { return (name, shortID) }
    }
    return nil
  }

  /// Returns the layer directory that the `layerdb/sha256` entry at `entryPath` names in its
  /// `cache-id`, when it is a Docker-shaped directory that no other metadata, build cache
  /// snapshot or `lower` file names and no metadata read failed. Nil otherwise, and always
  /// for `layerdb/tmp/write-set-*` entries, whose layer is a finding of its own.
  func layerOwnedOnly(by entryPath: String) -> String? {
    let removal = layerDatabase.removals.first { $0.path == entryPath }
    let chain = layerDatabase.chains.values.first { layout.chain($0.chainID) == entryPath }
    guard let layerID = removal?.cacheID ?? chain?.cacheID,
      StoreIdentifier.matches(layerID, shape: .dockerLayer), layerIsDirectory(layerID),
      issues.hiddenReferences.isEmpty
    else { return nil }
    let chainUsers = layerDatabase.chains.values.filter {
      $0.cacheID == layerID && layout.chain($0.chainID) != entryPath
    }
    let removalUsers = layerDatabase.removals.filter {
      $0.cacheID == layerID && $0.path != entryPath
    }
    let mountUsers = layerDatabase.mounts.values.filter {
      $0.mountID == layerID || $0.initID == layerID
    }
    guard chainUsers.isEmpty, removalUsers.isEmpty, mountUsers.isEmpty,
      buildCache?.snapshotKeys.contains(layerID) != true, !hasUnreadBuildCache,
      layerListing(shortLinkOf: layerID) == nil
    else { return nil }
    return layerID
  }

  /// Whether `buildkit/snapshots.db` exists but could not be read, so it may name any layer.
  var hasUnreadBuildCache: Bool { hasBuildCache && buildCache == nil }

  /// Reads layer `id`'s `link` file and returns its short id when it has the short-link shape.
  private func shortID(ofLayer id: String) -> String? {
    guard case .value(let text) = StoreFileSystem.text(of: layout.layer(id) + "/link") else {
      return nil
    }
    let shortID = text.trimmingCharacters(in: .whitespacesAndNewlines)
    guard StoreIdentifier.isSafeComponent(shortID),
      StoreIdentifier.matches(shortID, shape: .shortLink)
    else { return nil }
    return shortID
  }
}
