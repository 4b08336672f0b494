/// Picks the mounts of interest from a mount table: the filesystems holding the store
/// roots, container overlays and FUSE overlays, mounts under the store roots, and every
/// path given with `--mount` or `--write-probe`.
struct MountSelector: Sendable {
  /// Directories whose filesystems, and the mounts below them, are watched.
  var storeRoots: [String]
  /// Paths given with `--mount`.
  var explicitPaths: [String]
  /// Directories given with `--write-probe`.
  var writeProbeDirectories: [String]
  /// When false, only `explicitPaths` and `writeProbeDirectories` are watched.
  var discoversMounts: Bool

  /// Filesystem types that never hold container data, or where a probe could do harm
  /// (an autofs probe triggers the automount).
  static let skippedTypes: Set<String> = [
    "proc", "sysfs", "nsfs", "cgroup", "cgroup2", "devpts", "mqueue", "bpf", "tracefs",
    "debugfs", "securityfs", "binfmt_misc", "autofs", "fusectl", "configfs", "pstore",
    "hugetlbfs", "efivarfs", "rpc_pipefs", "selinuxfs",
  ]

  /// Returns the watched mounts for `mounts`, one per mount point, sorted by mount point.
  func select(from mounts: [MountEntry]) -> [WatchedMount] {
    var selected: [String: WatchedMount] = [:]
    if discoversMounts {
      for mount in mounts where isDiscovered(mount) {
        selected[mount.target] = watched(mount, probePath: mount.target)
      }
      for root in storeRoots {
        if let mount = Self.containingMount(of: root, in: mounts) {
          selected[mount.target] = watched(mount, probePath: mount.target)
        }
      }
    }
    for path in explicitPaths {
      if let mount = Self.containingMount(of: path, in: mounts) {
        selected[mount.target] = watched(mount, probePath: path)
      }
    }
    for directory in writeProbeDirectories {
      guard let mount = Self.containingMount(of: directory, in: mounts) else { continue }
      var entry = selected[mount.target] ?? watched(mount, probePath: mount.target)
      entry.writeProbeDirectory = directory
      selected[mount.target] = entry
    }
    return selected.values.sorted { $0.mountPoint < $1.mountPoint }
  }

  private func isDiscovered(_ mount: MountEntry) -> Bool {
    if Self.skippedTypes.contains(mount.fsType) { return false }
    if mount.fsType == "overlay" || mount.fsType == "fuse.fuse-overlayfs" { return true }
    return storeRoots.contains { Self.isPath(mount.target, below: $0) }
  }

  private func watched(_ mount: MountEntry, probePath: String) -> WatchedMount {
    WatchedMount(
      mountPoint: mount.target, probePath: probePath, fsType: mount.fsType,
      source: mount.source)
  }

  /// The last-mounted entry whose mount point is `path` or a parent of it: the mount that
  /// serves `path` when no symlinks are involved. The path is compared as text and never
  /// resolved, so a hung mount is not touched.
  static func containingMount(of path: String, in mounts: [MountEntry]) -> MountEntry? {
    var best: MountEntry?
    for mount in mounts where isPath(path, below: mount.target) {
      if mount.target.count >= (best?.target.count ?? -1) { best = mount }
    }
    return best
  }

  /// Whether `path` is `directory` or lies below it, comparing whole components.
  static func isPath(_ path: String, below directory: String) -> Bool {
    if directory == "/" { return path.hasPrefix("/") }
    let trimmed = directory.hasSuffix("/") ? String(directory.dropLast()) : directory
    return path == trimmed || path.hasPrefix(trimmed + "/")
  }
}
