import Foundation

extension DockerOverlay2Audit {
  /// Layer ids that a mount in any collected mount namespace uses: as its mount point
  /// (`overlay2/<id>/merged`) or as an overlay lowerdir, upperdir or workdir, with one
  /// evidence sentence per layer naming the first such mount.
  func layersInUse(host: HostSnapshot) -> [String: String] {
    var inUse: [String: String] = [:]
    for namespace in host.namespaces {
      for mount in namespace.mounts {
        let sentence =
          "It is in use by the mount on \(mount.target) in mount namespace \(namespace.inode)."
        for layerID in layerIDs(usedBy: mount) where inUse[layerID] == nil {
          inUse[layerID] = sentence
        }
      }
    }
    return inUse
  }

  private func layerIDs(usedBy mount: MountEntry) -> [String] {
    var paths = [mount.target]
    if mount.fsType == "overlay" {
      for option in mount.fsOptions.split(separator: ",") {
        for key in ["lowerdir=", "upperdir=", "workdir="] where option.hasPrefix(key) {
          paths += option.dropFirst(key.count).split(separator: ":").map(String.init)
        }
      }
    }
    return paths.compactMap(layerID(containing:))
  }

  /// The layer id of a path inside `overlay2/<id>/`, or of a relative `l/<short>` lowerdir.
  private func layerID(containing path: String) -> String? {
    let prefix = layout.overlayDirectory + "/"
    let inside: Substring
    if path.hasPrefix(prefix) {
      inside = path.dropFirst(prefix.count)
    } else if path.hasPrefix("l/") {
      inside = Substring(path)
    } else {
      return nil
    }
    let first = inside.split(separator: "/").first.map(String.init) ?? ""
    guard first == "l" else { return layers[first] == nil ? nil : first }
    let short = inside.split(separator: "/").dropFirst().first.map(String.init) ?? ""
    guard case .value(let target) = StoreFileSystem.linkTarget(of: layout.link(short)) else {
      return nil
    }
    let parts = target.split(separator: "/")
    return parts.count == 3 && parts[0] == ".." ? String(parts[1]) : nil
  }
}
