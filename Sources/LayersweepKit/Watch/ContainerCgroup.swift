/// Tells the container a task belongs to from its cgroup path.
enum ContainerCgroup {
  /// Container id length of Docker, containerd, Podman and CRI-O: 64 hex digits.
  static let idLength = 64

  /// Returns the container id in a cgroup path such as `/docker/<id>`,
  /// `/system.slice/docker-<id>.scope`, `/machine.slice/libpod-<id>.scope`,
  /// `crio-<id>.scope` or `cri-containerd-<id>.scope`, or nil when no path component holds
  /// a 64-hex-digit id. The last such component wins, because nested cgroups name the
  /// innermost container last.
  static func containerID(inCgroupPath path: String) -> String? {
    for component in path.split(separator: "/").reversed() {
      if let id = hexRun(in: component) { return id }
    }
    return nil
  }

  /// The unified (v2) cgroup path from the text of `/proc/<pid>/cgroup`, or the first
  /// path of a v1 line when there is no v2 line.
  static func cgroupPath(fromProcCgroup text: String) -> String? {
    let lines = text.split(separator: "\n")
    let paths = lines.compactMap { line -> (Bool, String)? in
      let fields = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
      guard fields.count == 3 else { return nil }
      return (fields[0] == "0", String(fields[2]))
    }
    return paths.first(where: { $0.0 })?.1 ?? paths.first?.1
  }

  private static func hexRun(in component: Substring) -> String? {
    let characters = Array(component)
    var start = 0
    while start + idLength <= characters.count {
      let window = characters[start..<(start + idLength)]
      let isBounded =
        (start == 0 || !characters[start - 1].isHexDigit)
        && (start + idLength == characters.count || !characters[start + idLength].isHexDigit)
      if isBounded && window.allSatisfy({ $0.isHexDigit && !$0.isUppercase }) {
        return String(window)
      }
      start += 1
    }
    return nil
  }
}
