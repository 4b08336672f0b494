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
  /// kubelet's root directory (`--root-dir`), whose `pods/<uid>` directories list the pods
  /// on this node.
  public var kubeletRoot: String = "/var/lib/kubelet"

  public init() {}
}
