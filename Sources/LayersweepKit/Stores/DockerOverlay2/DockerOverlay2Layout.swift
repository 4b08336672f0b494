/// The paths of Docker's overlay2 store under one data root and exec root.
struct DockerOverlay2Layout: Sendable {
  let root: String
  let execRoot: String

  init(root: String, execRoot: String) {
    self.root = Self.normalized(root)
    self.execRoot = Self.normalized(execRoot)
  }

  /// Collapses repeated slashes and drops a trailing one, so paths built here compare equal
  /// to those in the mount table.
  static func normalized(_ path: String) -> String {
    let parts = path.split(separator: "/", omittingEmptySubsequences: true)
    return (path.hasPrefix("/") ? "/" : "") + parts.joined(separator: "/")
  }

  var overlayDirectory: String { root + "/overlay2" }
  var linkDirectory: String { overlayDirectory + "/l" }
  var imageDirectory: String { root + "/image/overlay2" }
  var layerDatabase: String { imageDirectory + "/layerdb" }
  var chainDirectory: String { layerDatabase + "/sha256" }
  var mountDirectory: String { layerDatabase + "/mounts" }
  var transactionDirectory: String { layerDatabase + "/tmp" }
  var imageContentDirectory: String { imageDirectory + "/imagedb/content/sha256" }
  var repositoriesFile: String { imageDirectory + "/repositories.json" }
  var containersDirectory: String { root + "/containers" }
  var buildCacheDatabase: String { root + "/buildkit/snapshots.db" }
  var networkNamespaceDirectory: String { execRoot + "/netns" }

  func layer(_ id: String) -> String { overlayDirectory + "/" + id }
  func link(_ shortID: String) -> String { linkDirectory + "/" + shortID }
  func chain(_ hex: String) -> String { chainDirectory + "/" + hex }
  func mount(_ containerID: String) -> String { mountDirectory + "/" + containerID }
  func container(_ id: String) -> String { containersDirectory + "/" + id }

  /// Shortens a path inside the data root to `<root-relative>` form for evidence.
  func relative(_ path: String) -> String {
    path.hasPrefix(root + "/") ? String(path.dropFirst(root.count + 1)) : path
  }
}
