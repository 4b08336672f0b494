import Foundation

/// The store-independent checks of re-verification for an item with a path. The item must
/// still exist beneath its root as the same object, be no symlink or mount point, and be old
/// enough. No mount in the fresh host table may sit inside it or use it as a source or layer.
public enum PathReverifier {
  /// Returns `.confirmed` when every check passes, else `.changed` with the first reason.
  public static func verify(_ path: String, root: String, context: ReverificationContext)
    -> Reverification
  {
    let current: PathObservation
    do {
      _ = try BeneathPath(path, beneath: root)
      guard !path.hasPrefix(Quarantine.trashDirectory(root: root) + "/") else {
        return .changed("\(path) is inside the quarantine")
      }
      current = try PathObservation.read(path)
    } catch {
      return .changed("\(error)")
    }
    if let reason = identityChange(path, current: current, context: context) {
      return .changed(reason)
    }
    if let reason = mountUse(of: path, observation: current, mounts: context.mounts) {
      return .changed(reason)
    }
    return .confirmed
  }

  private static func identityChange(
    _ path: String, current: PathObservation, context: ReverificationContext
  ) -> String? {
    if current.isSymbolicLink { return "\(path) is a symbolic link, which is never followed" }
    guard current.isDirectory || current.fileType == UInt32(S_IFREG) else {
      return "\(path) is neither a directory nor a regular file"
    }
    if let planned = context.planned {
      if planned.device != current.device || planned.inode != current.inode {
        return "\(path) was replaced since the plan was made"
      }
      if planned.modifiedSeconds != current.modifiedSeconds
        || planned.modifiedNanoseconds != current.modifiedNanoseconds
      {
        return "\(path) was modified since the plan was made"
      }
    }
    let age = current.age(at: context.now)
    if age < context.minimumAge {
      return "\(path) was modified \(age)s ago, less than the minimum age of \(context.minimumAge)s"
    }
    return nil
  }

  /// Names the first mount that makes `path` unsafe to move: a mount on it or inside it, an
  /// overlay that names it in its options, or a bind mount of a directory inside it.
  static func mountUse(of path: String, observation: PathObservation, mounts: [MountEntry])
    -> String?
  {
    let inside = path + "/"
    if let parentID = try? PathObservation.read((path as NSString).deletingLastPathComponent)
      .mountID, let ownID = observation.mountID, parentID != ownID
    {
      return "\(path) is a mount point"
    }
    for mount in mounts {
      if mount.target == path || mount.target.hasPrefix(inside) {
        return "\(mount.target) is mounted (\(mount.fsType)) at or inside \(path)"
      }
      if mount.source == path || mount.source.hasPrefix(inside)
        || optionPaths(mount.fsOptions).contains(where: { $0 == path || $0.hasPrefix(inside) })
      {
        return "the mount at \(mount.target) uses \(path)"
      }
    }
    return bindMountUse(of: path, device: observation.device, mounts: mounts)
  }

  /// Returns the absolute paths in overlay options such as `lowerdir=a:b,upperdir=c,workdir=d`.
  static func optionPaths(_ options: String) -> [String] {
    var paths: [String] = []
    for option in options.split(separator: ",") {
      guard let equals = option.firstIndex(of: "=") else { continue }
      let value = option[option.index(after: equals)...]
      paths += value.split(separator: ":").map(String.init).filter { $0.hasPrefix("/") }
    }
    return paths
  }

  /// Finds a bind mount whose source directory lies inside `path`: a mount of the same device
  /// whose `root` field is below `path`'s location within that filesystem.
  private static func bindMountUse(of path: String, device: UInt64, mounts: [MountEntry])
    -> String?
  {
    let deviceText = "\(major(device)):\(minor(device))"
    let sameDevice = mounts.filter { $0.device == deviceText }
    let containing = sameDevice.filter {
      path == $0.target || path.hasPrefix($0.target == "/" ? "/" : $0.target + "/")
    }
    guard let base = containing.max(by: { $0.target.count < $1.target.count }) else { return nil }
    let relative = base.target == "/" ? path : String(path.dropFirst(base.target.count))
    let fsPath = (base.root == "/" ? "" : base.root) + relative
    for mount in sameDevice where mount.root == fsPath || mount.root.hasPrefix(fsPath + "/") {
      return "\(mount.target) is a bind mount of a directory inside \(path)"
    }
    return nil
  }

  private static func major(_ device: UInt64) -> UInt64 {
    ((device >> 8) & 0xfff) | ((device >> 32) & ~UInt64(0xfff))
  }

  private static func minor(_ device: UInt64) -> UInt64 {
    (device & 0xff) | ((device >> 12) & ~UInt64(0xff))
  }
}
