import Foundation

/// The contents of the overlay driver directory (`<graphroot>/overlay`) when the store was read:
/// its layer directories, short links, `link` and `lower` files and `merged` mount points.
struct OverlayDriverDirectory {
  /// The state of a layer's `merged` directory.
  struct MergedState: Equatable {
    /// Whether `merged` is on another filesystem than the layer directory, which means
    /// something is mounted on it in this mount namespace.
    var isMountPoint: Bool
    /// The names inside `merged`, read only when it is not a mount point.
    var entries: [String]
  }

  /// The driver directory.
  let root: String
  /// Names of directories that may be layers: valid ids, not the driver's own entries.
  var layerDirectories: Set<String> = []
  /// Raw targets of the symlinks in `l/`, by short link name.
  var links: [String: String] = [:]
  /// The short link name in each layer's `link` file, for the layers asked for.
  var linkNames: [String: String] = [:]
  /// The entries of each layer's `lower` file, such as `l/ABC...`, for the layers asked for.
  var lowerEntries: [String: [String]] = [:]
  /// The state of each layer's `merged`, for the layers asked for that have one.
  var merged: [String: MergedState] = [:]
  /// Modification times of the layer directories.
  var modificationTimes: [String: Date] = [:]
  private var mountTargets: Set<String> = []

  /// Whether `name` in the driver directory is the driver's own bookkeeping and never a
  /// layer: `l` (short links), `staging` (pulls in progress), `tempdirs` (deferred
  /// deletions), dot files such as `.has-mount-program`, and the scratch directories of
  /// the driver's feature checks.
  static func isReserved(_ name: String) -> Bool {
    if ["l", "staging", "tempdirs"].contains(name) || name.hasPrefix(".") { return true }
    return ["metacopy-check", "opaque-bug-check", "compat"].contains { name.hasPrefix($0) }
  }

  /// Reads the directory. `layerIDs` are the layers whose `link`, `lower` and `merged`
  /// are read; the other directories are only listed. A `merged` in `mountTargets` is
  /// recorded as a mount point without a `stat`, which would wait on a hung FUSE mount
  /// such as fuse-overlayfs.
  static func scan(root: String, layerIDs: Set<String>, mountTargets: Set<String>) -> Self {
    var driver = Self(root: root)
    driver.mountTargets = mountTargets
    let names = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
    for name in names where !isReserved(name) && StoreIdentifier.isValid(name) {
      var info = stat()
      guard lstat(root + "/" + name, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else {
        continue
      }
      driver.layerDirectories.insert(name)
      driver.modificationTimes[name] = Date(timeIntervalSince1970: Double(info.st_mtim.tv_sec))
      if layerIDs.contains(name) { driver.readLayerFiles(name, device: info.st_dev) }
    }
    driver.readLinks()
    return driver
  }

  private mutating func readLinks() {
    let directory = root + "/l"
    let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
    for name in names {
      guard
        let target = try? FileManager.default.destinationOfSymbolicLink(
          atPath: directory + "/" + name)
      else { continue }
      links[name] = target
    }
  }

  private mutating func readLayerFiles(_ id: String, device: dev_t) {
    let layer = root + "/" + id
    if let link = Self.readSmallFile(layer + "/link") {
      linkNames[id] = link.trimmingCharacters(in: .whitespacesAndNewlines)
    }
    if let lower = Self.readSmallFile(layer + "/lower") {
      let trimmed = lower.trimmingCharacters(in: .whitespacesAndNewlines)
      lowerEntries[id] = trimmed.split(separator: ":").map(String.init)
    }
    if mountTargets.contains(layer + "/merged") {
      merged[id] = MergedState(isMountPoint: true, entries: [])
      return
    }
    var info = stat()
    guard lstat(layer + "/merged", &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else { return }
    let isMountPoint = info.st_dev != device
    let entries =
      isMountPoint ? [] : (try? FileManager.default.contentsOfDirectory(atPath: layer + "/merged"))
    merged[id] = MergedState(isMountPoint: isMountPoint, entries: (entries ?? []).sorted())
  }

  /// Reads a bookkeeping file of at most 64 KiB without following a symlink.
  private static func readSmallFile(_ path: String) -> String? {
    guard let data = try? RegularFile.read(path, limit: 65_536) else { return nil }
    return String(decoding: data, as: UTF8.self)
  }
}
