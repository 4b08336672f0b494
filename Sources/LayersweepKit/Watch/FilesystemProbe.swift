#if canImport(Glibc)
  import Glibc
#endif

/// The probe operations run against one mount, in order: statfs, stat of the probe path,
/// a readdir of it and, where allowed, a write probe. Runs on a probe thread only, because
/// each call may block for as long as the filesystem hangs.
enum FilesystemProbe {
  /// Most directory entries the readdir probe reads: enough to reach the filesystem, few
  /// enough that a huge directory costs little.
  static let readdirEntryLimit = 64

  /// Runs every probe for `mount`, recording each phase in `slot`, and returns the first
  /// failure, or nil when all succeeded.
  static func run(_ mount: WatchedMount, slot: ProbeSlot) -> ProbeFailure? {
    slot.enter("statfs")
    if let failure = statFilesystem(mount.probePath) { return failure }
    slot.enter("stat")
    if let failure = statRoot(mount.probePath) { return failure }
    slot.enter("readdir")
    if let failure = readDirectory(mount.probePath) { return failure }
    guard let directory = mount.writeProbeDirectory else { return nil }
    slot.enter("write")
    return writeProbeFile(in: directory)
  }

  /// statvfs(3), which glibc implements with statfs(2).
  static func statFilesystem(_ path: String) -> ProbeFailure? {
    var info = statvfs()
    return statvfs(path, &info) == 0 ? nil : failure("statfs", path)
  }

  static func statRoot(_ path: String) -> ProbeFailure? {
    var info = stat()
    return stat(path, &info) == 0 ? nil : failure("stat", path)
  }

  static func readDirectory(_ path: String) -> ProbeFailure? {
    guard let directory = opendir(path) else { return failure("opendir", path) }
    defer { closedir(directory) }
    for _ in 0..<readdirEntryLimit {
      errno = 0
      if readdir(directory) == nil {
        return errno == 0 ? nil : failure("readdir", path)
      }
    }
    return nil
  }

  /// Creates, writes, fsyncs and unlinks `.layersweep-write-probe-<pid>` in `directory`,
  /// creating `directory` (mode 0700) first when it is missing.
  static func writeProbeFile(in directory: String) -> ProbeFailure? {
    if mkdir(directory, 0o700) != 0 && errno != EEXIST { return failure("mkdir", directory) }
    let path = directory + "/.layersweep-write-probe-\(getpid())"
    let flags = O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC
    let descriptor = open(path, flags, 0o600)
    guard descriptor >= 0 else { return failure("create", path) }

    var result: ProbeFailure?
    let payload = Array("layersweep write probe\n".utf8)
    if write(descriptor, payload, payload.count) < 0 {
      result = failure("write", path)
    } else if fsync(descriptor) != 0 {
      result = failure("fsync", path)
    }
    close(descriptor)
    if unlink(path) != 0 && result == nil { result = failure("unlink", path) }
    return result
  }

  private static func failure(_ operation: String, _ path: String) -> ProbeFailure {
    ProbeFailure(operation: operation, path: path, errno: errno)
  }
}
