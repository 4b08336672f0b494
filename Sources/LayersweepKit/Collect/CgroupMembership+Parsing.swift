extension CgroupMembership {
  /// Parses one `/proc/<pid>/cgroup` line, `hierarchy-ID:controller-list:cgroup-path`, such
  /// as `4:memory:/docker/abc` or the v2 line `0::/system.slice/docker.service`. The path may
  /// contain colons.
  init?(parsing line: Substring) {
    let parts = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
    guard parts.count == 3, let hierarchyID = Int(parts[0]), parts[2].hasPrefix("/") else {
      return nil
    }
    self.init(
      hierarchyID: hierarchyID,
      controllers: parts[1].split(separator: ",").map(String.init),
      path: String(parts[2]))
  }
}
