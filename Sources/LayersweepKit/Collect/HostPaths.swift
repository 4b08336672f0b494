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
  /// The containers/storage graph root (Podman, Buildah, CRI-O), which contains the layer,
  /// image and container stores.
  public var containersGraphRoot: String = "/var/lib/containers/storage"
  /// The containers/storage run root, which contains `overlay-layers/mountpoints.json`.
  public var containersRunRoot: String = "/run/containers/storage"
  /// The sysfs directory in which the aufs module lists each mounted aufs superblock's
  /// branches (`si_<id>/br<N>`).
  public var aufsSysfsRoot: String = "/sys/fs/aufs"
  /// kubelet's root directory (`--root-dir`), whose `pods/<uid>` directories list the pods
  /// on this node.
  public var kubeletRoot: String = "/var/lib/kubelet"
  /// containerd's root directory (`root` in its config), which holds the metadata and the
  /// overlayfs snapshotter.
  public var containerdRoot: String = "/var/lib/containerd"
  /// containerd's state directory (`state` in its config), which holds the task bundles.
  public var containerdState: String = "/run/containerd"

  public init() {}
}
