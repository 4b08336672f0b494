/// Settings of one `layersweep watch` run.
public struct WatchConfiguration: Sendable {
  /// Seconds between rounds.
  public var interval: Double = 30
  /// Seconds a probe or ping may take before it counts as hung.
  public var timeout: Double = 10
  /// Seconds a task must stay in state D before it is reported.
  public var blockedThreshold: Double = 30
  /// Store roots whose filesystems, and the mounts below them, are watched.
  public var storeRoots: [String] = [
    "/var/lib/docker", "/var/lib/containers/storage", "/var/lib/containerd",
  ]
  /// Paths given with `--mount`; the mount holding each is watched.
  public var mounts: [String] = []
  /// Directories layersweep owns where the write probe may create its file.
  public var writeProbeDirectories: [String] = []
  /// Whether to watch store roots and overlay mounts found in the mount table.
  public var discoversMounts = true
  /// Where to serve `/metrics`; nil for nowhere.
  public var listen: ListenAddress? = ListenAddress(host: "127.0.0.1", port: 9476, isIPv6: false)
  /// The node_exporter textfile to write after every round; nil for none.
  public var textfile: String?
  /// Whether to print one JSON line per event on standard output.
  public var emitsJSON = false
  /// Docker API sockets to ping; a missing socket is skipped.
  public var dockerSockets: [String] = ["/run/docker.sock"]
  /// The procfs mount.
  public var procRoot = "/proc"
  /// The kernel log device; nil to skip it.
  public var kernelLogPath: String? = "/dev/kmsg"
  /// Stop after this many rounds; nil to run until SIGTERM or SIGINT.
  public var roundLimit: Int?

  public init() {}

  /// The mount table of the namespace layersweep runs in.
  var mountInfoPath: String { procRoot + "/self/mountinfo" }
  /// The kernel's hung-task counter, present since Linux 6.7.
  var hungTaskCountPath: String { procRoot + "/sys/kernel/hung_task_detect_count" }
}
