/// One mount the watchdog probes.
public struct WatchedMount: Sendable, Equatable, Hashable {
  /// The mount point, which identifies the mount in findings and metrics.
  public var mountPoint: String
  /// The path the read probes use: the mount point, or a path given with `--mount`.
  public var probePath: String
  public var fsType: String
  public var source: String
  /// The directory the write probe creates its file in, when `--write-probe` allows one.
  public var writeProbeDirectory: String?

  public init(
    mountPoint: String, probePath: String, fsType: String, source: String,
    writeProbeDirectory: String? = nil
  ) {
    self.mountPoint = mountPoint
    self.probePath = probePath
    self.fsType = fsType
    self.source = source
    self.writeProbeDirectory = writeProbeDirectory
  }
}
