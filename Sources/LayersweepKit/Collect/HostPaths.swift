/// Every host path layersweep reads, so tests and operators can point it anywhere.
public struct HostPaths: Sendable, Equatable {
  /// The procfs mount.
  public var proc: String = "/proc"
  /// Where the cgroup hierarchies are mounted.
  public var cgroupRoot: String = "/sys/fs/cgroup"
  /// Docker's data root.
  public var dockerRoot: String = "/var/lib/docker"
  /// Docker's exec root, which holds `netns/` and the containerd bundles.
  public var dockerExecRoot: String = "/run/docker"
  /// Docker's API socket.
  public var dockerSocket: String = "/run/docker.sock"
  /// containerd's root directory (`root` in its config), which holds the metadata and the
  /// overlayfs snapshotter.
  public var containerdRoot: String = "/var/lib/containerd"
  /// containerd's state directory (`state` in its config), which holds the task bundles.
  public var containerdState: String = "/run/containerd"

  public init() {}
}
