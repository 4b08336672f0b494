/// One way a container runtime names a container's cgroup, as a row of the table the
/// cross-checks match cgroup paths against. Adding a runtime means adding rows.
public struct CgroupNamingRule: Sendable, Equatable {
  /// The shape of the cgroup's name.
  public enum Pattern: Sendable, Equatable {
    /// `<parent>/<id>`: the cgroupfs driver, where `parent` may span several components.
    case child(parent: String)
    /// `<prefix><id><suffix>` as the last component, under any parent, such as
    /// `docker-<id>.scope` under the systemd driver.
    case affixed(prefix: String, suffix: String)
  }

  /// The runtime whose containers these cgroups belong to, as in `ContainerRecord.runtime`.
  public var runtime: String
  /// The cgroup driver this name comes from: `cgroupfs` or `systemd`.
  public var driver: String
  public var pattern: Pattern
  /// The store adapters (`StoreAdapter.name`) whose container records decide whether the
  /// container still exists. The cross-checks judge a matched cgroup only when at least one
  /// of them was read and every one that was read is complete, so a row without stores
  /// never reports anything.
  public var stores: [String]

  public init(runtime: String, driver: String, pattern: Pattern, stores: [String] = []) {
    self.runtime = runtime
    self.driver = driver
    self.pattern = pattern
    self.stores = stores
  }

  /// Every row layersweep knows: Docker, Podman, CRI-O and containerd's CRI plugin.
  public static func standard(dockerCgroupParent: String = "docker") -> [CgroupNamingRule] {
    docker(cgroupParent: dockerCgroupParent) + podman() + crio() + containerd()
  }

  /// Docker's two rows: `<parent>/<id>` under cgroupfs and `docker-<id>.scope` under systemd
  /// (moby `daemon/oci_linux.go`), decided by the Docker overlay2 and aufs stores.
  public static func docker(cgroupParent: String = "docker") -> [CgroupNamingRule] {
    let stores = ["docker-overlay2", "docker-aufs"]
    return [
      CgroupNamingRule(
        runtime: "docker", driver: "cgroupfs", pattern: .child(parent: cgroupParent),
        stores: stores),
      CgroupNamingRule(
        runtime: "docker", driver: "systemd",
        pattern: .affixed(prefix: "docker-", suffix: ".scope"), stores: stores),
    ]
  }

  /// Podman's rows, decided by the containers/storage store. Podman 4.3 passes runc
  /// `machine.slice:libpod:<id>` under systemd, which becomes `libpod-<id>.scope`, and runs
  /// conmon in `libpod-conmon-<id>.scope`. Under cgroupfs the container's cgroup is
  /// `libpod_parent/libpod-<id>`, or `<pod cgroup>/libpod-<id>` in a pod, so that row
  /// accepts any parent. Conmon then shares `<parent>/conmon`, which names no container.
  public static func podman() -> [CgroupNamingRule] {
    containersStorageRows(runtime: "libpod", prefix: "libpod-", hasCgroupfsMonitorRow: false)
  }

  /// CRI-O's rows, decided by the containers/storage store: `crio-<id>.scope` and conmon's
  /// `crio-conmon-<id>.scope` under systemd, `<pod cgroup>/crio-<id>` and
  /// `<pod cgroup>/crio-conmon-<id>` under cgroupfs (cri-o `internal/config/cgmgr`).
  public static func crio() -> [CgroupNamingRule] {
    containersStorageRows(runtime: "crio", prefix: "crio-", hasCgroupfsMonitorRow: true)
  }

  /// containerd's CRI plugin under systemd: `cri-containerd-<id>.scope`, decided by the
  /// containerd store.
  // NOTE: Under cgroupfs the CRI plugin names a container's cgroup by its bare id below the
  // pod cgroup, which no row matches yet.
  public static func containerd() -> [CgroupNamingRule] {
    [
      CgroupNamingRule(
        runtime: "containerd", driver: "systemd",
        pattern: .affixed(prefix: "cri-containerd-", suffix: ".scope"), stores: ["containerd"])
    ]
  }

  private static func containersStorageRows(
    runtime: String, prefix: String, hasCgroupfsMonitorRow: Bool
  ) -> [CgroupNamingRule] {
    let stores = ["containers-storage"]
    var rows = [
      CgroupNamingRule(
        runtime: runtime, driver: "systemd", pattern: .affixed(prefix: prefix, suffix: ".scope"),
        stores: stores),
      CgroupNamingRule(
        runtime: runtime, driver: "systemd",
        pattern: .affixed(prefix: prefix + "conmon-", suffix: ".scope"), stores: stores),
      CgroupNamingRule(
        runtime: runtime, driver: "cgroupfs", pattern: .affixed(prefix: prefix, suffix: ""),
        stores: stores),
    ]
    if hasCgroupfsMonitorRow {
      rows.append(
        CgroupNamingRule(
          runtime: runtime, driver: "cgroupfs",
          pattern: .affixed(prefix: prefix + "conmon-", suffix: ""), stores: stores))
    }
    return rows
  }

  // MARK: - Matching

  /// Returns the container id that `cgroupPath` (relative to its hierarchy, starting with `/`)
  /// names under this rule, or nil when it does not match or the id is not a full container id.
  ///
  /// The cross-checks call this for every cgroup and rule, so names that cannot hold a
  /// container id are rejected by length before the path is split.
  public func containerID(inCgroupPath cgroupPath: String) -> String? {
    guard let last = Self.lastComponent(of: cgroupPath) else { return nil }

    let candidate: Substring
    switch pattern {
    case .child(let parent):
      guard last.utf8.count == 64 else { return nil }
      let components = cgroupPath.split(separator: "/")
      let parentComponents = parent.split(separator: "/")
      let head = components.dropLast()
      guard !parentComponents.isEmpty, head.suffix(parentComponents.count) == parentComponents[...]
      else { return nil }
      candidate = last
    case .affixed(let prefix, let suffix):
      guard last.utf8.count == prefix.utf8.count + 64 + suffix.utf8.count,
        last.hasPrefix(prefix), last.hasSuffix(suffix)
      else { return nil }
      candidate = last.dropFirst(prefix.count).dropLast(suffix.count)
    }
    let id = String(candidate)
    return Self.isContainerID(id) ? id : nil
  }

  /// Returns the last non-empty `/`-separated component of `path`, or nil when it has none.
  private static func lastComponent(of path: String) -> Substring? {
    let bytes = path.utf8
    let slash = UInt8(ascii: "/")
    var end = bytes.endIndex
    while end > bytes.startIndex, bytes[bytes.index(before: end)] == slash {
      end = bytes.index(before: end)
    }
    guard end > bytes.startIndex else { return nil }
    let start = bytes[..<end].lastIndex(of: slash).map { bytes.index(after: $0) }
    return Substring(bytes[(start ?? bytes.startIndex)..<end])
  }

  /// Whether `text` has the shape every runtime in the table uses for ids: 64 lowercase hex
  /// digits.
  public static func isContainerID(_ text: String) -> Bool {
    text.utf8.count == 64
      && text.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
  }

  /// Whether `cgroupPath` lies below a systemd user manager (`user@<uid>.service`), where
  /// rootless Docker and Podman put their containers. Their stores live in the user's home,
  /// which layersweep does not read, so the cross-checks leave these cgroups alone.
  public static func isBelowUserManager(_ cgroupPath: String) -> Bool {
    cgroupPath.split(separator: "/").dropLast().contains { component in
      component.hasPrefix("user@") && component.hasSuffix(".service")
    }
  }
}
