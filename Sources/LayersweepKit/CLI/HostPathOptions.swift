/// The host path flags every command that reads stores shares, with their real defaults.
enum HostPathOptions {
  private static let defaults = HostPaths()

  /// One row per flag: its name, help text and the HostPaths field it sets.
  private static var rows: [(name: String, help: String, field: WritableKeyPath<HostPaths, String>)]
  {
    [
      ("docker-root", "Docker's data root.", \.dockerRoot),
      ("docker-exec-root", "Docker's exec root.", \.dockerExecRoot),
      ("docker-socket", "Docker's API socket.", \.dockerSocket),
      (
        "containers-graphroot", "The containers/storage graph root (Podman, Buildah, CRI-O).",
        \.containersGraphRoot
      ),
      ("containers-runroot", "The containers/storage run root.", \.containersRunRoot),
      ("containerd-root", "containerd's root directory.", \.containerdRoot),
      ("containerd-state", "containerd's state directory.", \.containerdState),
      ("aufs-sysfs", "Where the aufs module lists mounted branches.", \.aufsSysfsRoot),
      (
        "kubelet-root", "kubelet's root directory, whose pods/ lists the pods on this node.",
        \.kubeletRoot
      ),
      ("proc", "The procfs mount.", \.proc),
      ("cgroup-root", "Where the cgroup hierarchies are mounted.", \.cgroupRoot),
    ]
  }

  /// The option specs, in help order.
  static var specs: [OptionSpec] {
    rows.map { row in
      OptionSpec(row.name, value: "path", help: row.help, default: defaults[keyPath: row.field])
    }
  }

  /// The host paths the command line sets, each defaulting to the real one. An empty path is
  /// a usage error.
  static func paths(from options: ParsedOptions) throws -> HostPaths {
    var paths = HostPaths()
    for row in rows {
      guard let value = options.value(row.name) else { continue }
      guard !value.isEmpty else {
        throw UsageError(
          "invalid value '' for '--\(row.name) <path>': expected a path such as "
            + defaults[keyPath: row.field])
      }
      paths[keyPath: row.field] = value
    }
    return paths
  }

  /// `--docker-cgroup-parent`, which audit and clean share.
  static let dockerCgroupParentSpec = OptionSpec(
    "docker-cgroup-parent", value: "name",
    help: "Docker's cgroup parent under the cgroupfs driver.", default: "docker")

  /// Returns the Docker cgroup parent the command line sets, `docker` by default. A value made
  /// only of slashes is a usage error.
  static func dockerCgroupParent(from options: ParsedOptions) throws -> String {
    let cgroupParent = options.value("docker-cgroup-parent") ?? "docker"
    guard cgroupParent.contains(where: { $0 != "/" }) else {
      throw UsageError(
        "invalid value '\(cgroupParent)' for '--docker-cgroup-parent <name>': "
          + "expected a cgroup name such as docker")
    }
    return cgroupParent
  }
}
