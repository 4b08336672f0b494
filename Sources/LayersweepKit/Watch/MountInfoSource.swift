/// The mount table the watchdog selects its mounts from.
enum MountInfoSource {
  /// Reads and parses a mountinfo table such as `/proc/self/mountinfo` through libmount.
  ///
  /// Reading mountinfo formats what the kernel keeps in memory and waits on no filesystem
  /// I/O; the frozen-ext4 and stopped-FUSE tests read it while those mounts hang.
  static func readMounts(path: String) throws -> [MountEntry] {
    try MountInfoReader.read(path: path)
  }
}
