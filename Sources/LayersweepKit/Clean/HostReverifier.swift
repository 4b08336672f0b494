import Foundation

/// Re-verification of the findings that are not files in a store: dead and leaked mounts and
/// leaked cgroups, against the mount tables and cgroup files read afresh.
public struct HostReverifier: Sendable {
  /// Directories under which clean may unmount: the store roots and runtime state roots.
  public var mountRoots: [String]
  public var cgroupRoot: String
  public var proc: String

  public init(mountRoots: [String], cgroupRoot: String, proc: String) {
    self.mountRoots = mountRoots
    self.cgroupRoot = cgroupRoot
    self.proc = proc
  }

  /// Confirms a dead mount is still mounted in the host namespace, under a store's mount root,
  /// with the mount id the audit saw (`details["mount_id"]`, when given).
  // TODO: also re-read the owning container's state once the store provides that hook.
  public func reverifyDeadMount(_ finding: Finding, mounts: [MountEntry]) -> Reverification {
    let target = finding.path ?? finding.id
    guard isBeneathMountRoot(target) else {
      return .changed("\(target) is not beneath a store's mount root")
    }
    guard let mount = mounts.last(where: { $0.target == target }) else {
      return .changed("\(target) is no longer mounted")
    }
    if let expected = finding.details["mount_id"], expected != String(mount.mountID) {
      return .changed("\(target) is now a different mount (id \(mount.mountID))")
    }
    if let child = mounts.first(where: { $0.target.hasPrefix(target + "/") }) {
      return .changed("\(child.target) is mounted inside \(target)")
    }
    return .confirmed
  }

  /// Picks the holder process of a leaked mount whose namespace still has the mount, from
  /// `details["holder_pids"]` (comma-separated).
  public func holderOfLeakedMount(_ finding: Finding) -> Result<Int32, UnplannedFinding> {
    let target = finding.path ?? finding.id
    let pids = (finding.details["holder_pids"] ?? "").split(separator: ",").compactMap {
      Int32($0.trimmingCharacters(in: .whitespaces))
    }
    for pid in pids where pid > 1 {
      let table = try? MountInfoReader.readTable(path: "\(proc)/\(pid)/mountinfo")
      if table?.contains(where: { $0.target == target }) == true { return .success(pid) }
    }
    return .failure(
      UnplannedFinding(finding: finding, reason: "no holder process still has \(target) mounted"))
  }

  /// Lists a leaked cgroup and its descendants, deepest first, after checking that none has
  /// a process in `cgroup.procs`.
  public func emptyCgroupTree(_ finding: Finding) -> Result<[String], UnplannedFinding> {
    let path = finding.path ?? finding.id
    do {
      _ = try BeneathPath(path, beneath: cgroupRoot)
    } catch {
      return .failure(UnplannedFinding(finding: finding, reason: "\(error)"))
    }
    var preorder: [String] = []
    var pending = [path]
    while let directory = pending.popLast() {
      guard let procs = FileManager.default.contents(atPath: directory + "/cgroup.procs") else {
        return .failure(
          UnplannedFinding(finding: finding, reason: "\(directory)/cgroup.procs is unreadable"))
      }
      guard procs.allSatisfy({ $0 == 0x0A || $0 == 0x20 }) else {
        return .failure(
          UnplannedFinding(finding: finding, reason: "\(directory) has processes again"))
      }
      preorder.append(directory)
      pending += subdirectories(of: directory).reversed()
    }
    // Reversed pre-order lists every cgroup after all of its descendants.
    return .success(preorder.reversed())
  }

  private func subdirectories(of directory: String) -> [String] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
    return names.sorted().compactMap { name in
      let path = directory + "/" + name
      var info = stat()
      guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else { return nil }
      return path
    }
  }

  private func isBeneathMountRoot(_ target: String) -> Bool {
    mountRoots.contains { (try? BeneathPath(target, beneath: $0)) != nil }
  }
}
