/// One way a container runtime names a container's cgroup, as a row of the table the
/// cross-checks match cgroup paths against. Adding a runtime means adding rows.
public struct CgroupNamingRule: Sendable, Equatable {
  /// The shape of the cgroup's name.
  public enum Pattern: Sendable, Equatable {
    /// `<parent>/<id>`: the cgroupfs driver, where `parent` may span several components.
    case child(parent: String)
    /// `<prefix><id><suffix>` as the last component, such as `docker-<id>.scope` under
    /// the systemd driver.
    case affixed(prefix: String, suffix: String)
  }

  /// The runtime whose containers these cgroups belong to, as in `ContainerRecord.runtime`.
  public var runtime: String
  /// The cgroup driver this name comes from: `cgroupfs` or `systemd`.
  public var driver: String
  public var pattern: Pattern

  public init(runtime: String, driver: String, pattern: Pattern) {
    self.runtime = runtime
    self.driver = driver
    self.pattern = pattern
  }

  /// Docker's two rows: `<parent>/<id>` under cgroupfs and `docker-<id>.scope` under systemd.
  /// Podman (`libpod-<id>.scope`, `libpod-conmon-<id>.scope`), CRI-O (`crio-<id>.scope`) and
  /// containerd's CRI plugin (`cri-containerd-<id>.scope`) fit `.affixed` rows, to be added
  /// with their store adapters so their cgroups are judged against their own records.
  public static func docker(cgroupParent: String = "docker") -> [CgroupNamingRule] {
    [
      CgroupNamingRule(
        runtime: "docker", driver: "cgroupfs", pattern: .child(parent: cgroupParent)),
      CgroupNamingRule(
        runtime: "docker", driver: "systemd", pattern: .affixed(prefix: "docker-", suffix: ".scope")
      ),
    ]
  }

  /// Returns the container id that `cgroupPath` (relative to its hierarchy, starting with `/`)
  /// names under this rule, or nil when it does not match or the id is not a full container id.
  public func containerID(inCgroupPath cgroupPath: String) -> String? {
    let components = cgroupPath.split(separator: "/").map(String.init)
    guard let last = components.last else { return nil }

    let candidate: String
    switch pattern {
    case .child(let parent):
      let parentComponents = parent.split(separator: "/").map(String.init)
      let head = components.dropLast()
      guard !parentComponents.isEmpty, head.suffix(parentComponents.count) == parentComponents[...]
      else { return nil }
      candidate = last
    case .affixed(let prefix, let suffix):
      guard last.hasPrefix(prefix), last.hasSuffix(suffix),
        last.count > prefix.count + suffix.count
      else { return nil }
      candidate = String(last.dropFirst(prefix.count).dropLast(suffix.count))
    }
    return Self.isContainerID(candidate) ? candidate : nil
  }

  /// Whether `text` has the shape every runtime in the table uses for ids: 64 lowercase hex
  /// digits.
  public static func isContainerID(_ text: String) -> Bool {
    text.utf8.count == 64
      && text.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
  }
}
