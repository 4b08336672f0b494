import Glibc

/// Reads the cgroup hierarchies mounted at or below a cgroup root, v1 and v2, and the
/// kernel's per-controller counts in `<proc>/cgroups`.
public struct CgroupReader: Sendable {
  /// The directory the hierarchies are mounted at or below, such as `/sys/fs/cgroup`.
  public var cgroupRoot: String
  /// How many directory levels below a hierarchy's root the walk descends. Deeper cgroups
  /// are not listed, and the cut is described in the errors.
  public var maxDepth: Int

  public init(cgroupRoot: String = "/sys/fs/cgroup", maxDepth: Int = 64) {
    self.cgroupRoot = cgroupRoot
    self.maxDepth = maxDepth
  }

  /// Lists every cgroup of every hierarchy that `mounts` (the host's mount table) shows at
  /// or below ``cgroupRoot``. A hierarchy mounted twice is read once, at its first mount.
  /// Hierarchies that cannot be read are left out and described in `errors`.
  ///
  /// The hierarchies are walked in parallel; the result and the errors keep mount table order.
  public func readHierarchies(mounts: [MountEntry], errors: inout [AuditError])
    -> [CgroupHierarchy]
  {
    let reader = self
    let outcomes = ParallelMap.map(hierarchyMounts(in: mounts)) { reader.readHierarchy($0) }
    var hierarchies: [CgroupHierarchy] = []
    for outcome in outcomes {
      errors += outcome.errors
      if let hierarchy = outcome.hierarchy { hierarchies.append(hierarchy) }
    }
    return hierarchies
  }

  /// Lists the cgroups of one hierarchy; nil with the error when its mount point cannot be read.
  private func readHierarchy(_ mounted: CgroupHierarchy)
    -> (hierarchy: CgroupHierarchy?, errors: [AuditError])
  {
    var hierarchy = mounted
    var errors: [AuditError] = []
    do {
      var walker = CgroupWalker(maxDepth: maxDepth)
      hierarchy.cgroups = try walker.walk(mountPoint: hierarchy.mountPoint)
      errors += walker.errors
      if hierarchy.version == 2 {
        hierarchy.dyingDescendants = readDyingDescendants(hierarchy.mountPoint, errors: &errors)
      }
      return (hierarchy, errors)
    } catch {
      errors.append(AuditError(store: "cgroup", path: hierarchy.mountPoint, message: "\(error)"))
      return (nil, errors)
    }
  }

  /// Returns one empty ``CgroupHierarchy`` per distinct cgroup mount at or below
  /// ``cgroupRoot``, in mount table order.
  func hierarchyMounts(in mounts: [MountEntry]) -> [CgroupHierarchy] {
    let root = cgroupRoot.hasSuffix("/") ? String(cgroupRoot.dropLast()) : cgroupRoot
    var seen: Set<[String]> = []
    var hierarchies: [CgroupHierarchy] = []
    for mount in mounts where mount.target == root || mount.target.hasPrefix(root + "/") {
      let hierarchy: CgroupHierarchy
      switch mount.fsType {
      case "cgroup":
        let controllers = Self.controllers(fromOptions: mount.fsOptions)
        hierarchy = CgroupHierarchy(
          version: 1, mountPoint: mount.target, controllers: controllers, cgroups: [])
      case "cgroup2":
        hierarchy = CgroupHierarchy(
          version: 2, mountPoint: mount.target, controllers: [], cgroups: [])
      default:
        continue
      }
      if seen.insert(["v\(hierarchy.version)"] + hierarchy.controllers).inserted {
        hierarchies.append(hierarchy)
      }
    }
    return hierarchies
  }

  /// Returns the controllers of a v1 hierarchy from its superblock options, such as
  /// `rw,cpu,cpuacct` or `rw,xattr,name=systemd`, leaving out the options that are not
  /// controllers (those that Linux's `cgroup1_show_options` prints besides them).
  static func controllers(fromOptions options: String) -> [String] {
    let nonControllers: Set<String> = [
      "rw", "ro", "none", "noprefix", "xattr", "cpuset_v2_mode", "favordynmods",
      "nofavordynmods", "clone_children",
    ]
    return options.split(separator: ",").map(String.init).filter {
      !nonControllers.contains($0) && !$0.hasPrefix("release_agent=")
    }
  }

  /// Reads `nr_dying_descendants` from `cgroup.stat` in a v2 hierarchy's root.
  private func readDyingDescendants(_ mountPoint: String, errors: inout [AuditError]) -> Int? {
    let path = mountPoint + "/cgroup.stat"
    do {
      let text = String(
        decoding: try FileDescriptor.readFile(path, displayPath: path), as: UTF8.self)
      if let count = Self.parseDyingDescendants(text) {
        return count
      }
      throw ProcFileError(path: path, reason: "no nr_dying_descendants line")
    } catch {
      errors.append(AuditError(store: "cgroup", path: path, message: "\(error)"))
      return nil
    }
  }

  /// Returns the value of the `nr_dying_descendants` line of a `cgroup.stat` file.
  static func parseDyingDescendants(_ text: String) -> Int? {
    for line in text.split(separator: "\n") {
      let fields = line.split(separator: " ")
      if fields.count == 2, fields[0] == "nr_dying_descendants" {
        return Int(fields[1])
      }
    }
    return nil
  }

  /// Reads `<proc>/cgroups`; a missing file (a kernel built without cgroup v1) gives an
  /// empty list.
  ///
  /// - Throws: `SystemCallError` when the file cannot be read, `ProcFileError` for a
  ///   malformed line.
  public static func readControllerCounts(procPath: String) throws -> [CgroupControllerCount] {
    let path = procPath + "/cgroups"
    let bytes: [UInt8]
    do {
      bytes = try FileDescriptor.readFile(path, displayPath: path)
    } catch let error as SystemCallError where error.errno == ENOENT {
      return []
    }
    return try parseControllerCounts(String(decoding: bytes, as: UTF8.self), path: path)
  }

  /// Parses `/proc/cgroups`: a `#subsys_name hierarchy num_cgroups enabled` header, then one
  /// tab-separated line per controller.
  static func parseControllerCounts(_ text: String, path: String) throws
    -> [CgroupControllerCount]
  {
    var counts: [CgroupControllerCount] = []
    for (index, line) in text.split(separator: "\n").enumerated() where !line.hasPrefix("#") {
      let fields = line.split(whereSeparator: { $0 == "\t" || $0 == " " })
      guard fields.count == 4, let hierarchyID = Int(fields[1]), let count = Int(fields[2]),
        let enabled = Int(fields[3])
      else {
        throw ProcFileError(path: path, line: index + 1, reason: "malformed cgroups line")
      }
      counts.append(
        CgroupControllerCount(
          controller: String(fields[0]), hierarchyID: hierarchyID, cgroupCount: count,
          isEnabled: enabled != 0))
    }
    return counts
  }
}
