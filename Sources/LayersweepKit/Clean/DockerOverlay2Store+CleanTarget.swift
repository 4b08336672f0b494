import Foundation

/// Re-verification for Docker overlay2 findings, from the metadata on disk read afresh: an
/// orphaned layer must still be named by no layerdb `cache-id`, no `mounts/*/mount-id` or
/// `init-id`, no BuildKit snapshot and no other layer's `lower` file.
extension DockerOverlay2Store: CleanTarget {
  public var cleanRoot: String { paths.dockerRoot }

  public func reverify(_ finding: Finding, context: ReverificationContext) -> Reverification {
    guard let path = finding.path else { return .changed("the finding has no path") }
    let generic = PathReverifier.verify(path, root: cleanRoot, context: context)
    guard generic == .confirmed else { return generic }
    switch finding.kind {
    case .orphanedLayer:
      return reverifyOrphanedLayer(finding, path: path, mounts: context.mounts)
    case .staleRemoval:
      return DockerLayerReferenceScan(root: cleanRoot).isStaleRemovalPath(path)
        ? .confirmed : .changed("\(path) is not a *-removing or write-set-* entry")
    default:
      return .changed("\(finding.kind.rawValue) findings are not cleaned in \(name)")
    }
  }

  public func companions(of finding: Finding) -> [String] {
    guard finding.kind == .orphanedLayer, let path = finding.path else { return [] }
    let layout = DockerLayerReferenceScan(root: cleanRoot)
    guard let link = layout.shortLink(ofLayer: (path as NSString).lastPathComponent) else {
      return []
    }
    return [link]
  }

  private func reverifyOrphanedLayer(_ finding: Finding, path: String, mounts: [MountEntry])
    -> Reverification
  {
    let layout = DockerLayerReferenceScan(root: cleanRoot)
    let id = (path as NSString).lastPathComponent
    guard path == layout.layerDirectory + "/" + id, DockerLayerReferenceScan.isValidLayerID(id),
      id == finding.id
    else {
      return .changed("\(path) is not an overlay2 layer directory named \(finding.id)")
    }
    do {
      if let reference = try layout.referenceToLayer(id) { return .changed(reference) }
    } catch {
      return .changed("\(error)")
    }
    if let shortID = layout.shortID(ofLayer: id),
      let mount = mounts.first(where: { $0.fsOptions.contains("l/\(shortID)") })
    {
      return .changed("the overlay mount at \(mount.target) uses l/\(shortID)")
    }
    return .confirmed
  }
}
