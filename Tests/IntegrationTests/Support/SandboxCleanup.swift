import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Removes every trace a test sandbox left on the host: processes whose command line names
/// the sandbox, mounts under it, cgroups under its unique parent and the directory itself.
/// Each step acts only on objects that carry the sandbox's unique path or cgroup name.
enum SandboxCleanup {
  /// Pids of processes whose command line contains `marker`, such as containerd and the
  /// runc shims started for a sandbox (their arguments name its exec root).
  static func processes(mentioning marker: String, proc: String = "/proc") -> [pid_t] {
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: proc)) ?? []
    return entries.compactMap { entry -> pid_t? in
      guard let pid = pid_t(entry), pid != getpid() else { return nil }
      guard let raw = ProcFile.read("\(proc)/\(entry)/cmdline") else {
        return nil
      }
      let commandLine = String(decoding: raw, as: UTF8.self).replacingOccurrences(
        of: "\0", with: " ")
      return commandLine.contains(marker) ? pid : nil
    }
  }

  /// Pids whose parent is `parent`, read from `/proc/<pid>/stat`.
  static func children(of parent: pid_t, proc: String = "/proc") -> [pid_t] {
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: proc)) ?? []
    return entries.compactMap { entry -> pid_t? in
      guard let pid = pid_t(entry), parentPID(of: pid, proc: proc) == parent else { return nil }
      return pid
    }
  }

  /// Returns the parent pid from `/proc/<pid>/stat`, whose second field may contain spaces.
  static func parentPID(of pid: pid_t, proc: String = "/proc") -> pid_t? {
    guard let raw = ProcFile.read("\(proc)/\(pid)/stat") else {
      return nil
    }
    let text = String(decoding: raw, as: UTF8.self)
    guard let close = text.lastIndex(of: ")") else { return nil }
    let fields = text[text.index(after: close)...].split(separator: " ")
    return fields.count > 1 ? pid_t(fields[1]) : nil
  }

  /// Sends SIGKILL to each pid and waits up to `timeout` seconds for all to be gone.
  static func killAndWait(_ pids: [pid_t], timeout: TimeInterval = 10) {
    for pid in pids { kill(pid, SIGKILL) }
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline && pids.contains(where: { isAlive($0) }) {
      usleep(20_000)
    }
  }

  /// Returns whether `pid` exists and is not a zombie.
  static func isAlive(_ pid: pid_t, proc: String = "/proc") -> Bool {
    guard let raw = ProcFile.read("\(proc)/\(pid)/stat") else {
      return false
    }
    let text = String(decoding: raw, as: UTF8.self)
    guard let close = text.lastIndex(of: ")") else { return false }
    let state = text[text.index(after: close)...].split(separator: " ").first
    return state != "Z" && state != "X"
  }

  // MARK: - Mounts

  /// Mount points at or below `root` in this process's mount namespace, deepest first and
  /// later mounts before earlier ones at the same depth.
  static func mountPoints(under root: String) -> [String] {
    guard let raw = ProcFile.read("/proc/self/mountinfo") else {
      return []
    }
    let points = String(decoding: raw, as: UTF8.self).split(separator: "\n").compactMap {
      line -> String? in
      let fields = line.split(separator: " ")
      guard fields.count > 4 else { return nil }
      let point = unescapeMountField(String(fields[4]))
      return point == root || point.hasPrefix(root + "/") ? point : nil
    }
    return points.enumerated()
      .sorted {
        ($0.element.split(separator: "/").count, $0.offset) > (
          $1.element.split(separator: "/").count, $1.offset
        )
      }
      .map(\.element)
  }

  /// Unmounts every mount under `root`, repeating for stacked mounts, and falls back to a
  /// lazy unmount only for a mount point that a plain unmount could not release.
  static func unmountAll(under root: String) {
    for _ in 0..<8 {
      let points = mountPoints(under: root)
      if points.isEmpty { return }
      for point in points where umount2(point, 0) != 0 {
        if errno == EBUSY { umount2(point, Int32(MNT_DETACH)) }
      }
    }
  }

  /// Decodes the octal escapes (`\040` for a space) the kernel writes in mountinfo fields.
  static func unescapeMountField(_ field: String) -> String {
    var bytes: [UInt8] = []
    var scalars = Array(field.utf8)[...]
    while let byte = scalars.popFirst() {
      if byte == UInt8(ascii: "\\"), scalars.count >= 3,
        let value = UInt8(String(decoding: scalars.prefix(3), as: UTF8.self), radix: 8)
      {
        bytes.append(value)
        scalars = scalars.dropFirst(3)
      } else {
        bytes.append(byte)
      }
    }
    return String(decoding: bytes, as: UTF8.self)
  }

  // MARK: - Cgroups

  /// Hierarchy directories under `cgroupRoot`: each v1 controller mount and the v2 tree,
  /// or `cgroupRoot` itself on a pure v2 host.
  static func hierarchies(cgroupRoot: String = "/sys/fs/cgroup") -> [String] {
    let fileManager = FileManager.default
    if fileManager.fileExists(atPath: "\(cgroupRoot)/cgroup.controllers") {
      return [cgroupRoot]
    }
    let entries = (try? fileManager.contentsOfDirectory(atPath: cgroupRoot)) ?? []
    return entries.sorted().map { "\(cgroupRoot)/\($0)" }.filter { path in
      var isDirectory: ObjCBool = false
      let isLink = (try? fileManager.destinationOfSymbolicLink(atPath: path)) != nil
      return !isLink && fileManager.fileExists(atPath: path, isDirectory: &isDirectory)
        && isDirectory.boolValue
    }
  }

  /// Directories at or below `relative` in every hierarchy, leaves first.
  static func cgroupDirectories(relative: String, cgroupRoot: String = "/sys/fs/cgroup")
    -> [String]
  {
    hierarchies(cgroupRoot: cgroupRoot).flatMap { hierarchy -> [String] in
      let top = "\(hierarchy)/\(relative)"
      guard FileManager.default.fileExists(atPath: top) else { return [] }
      return subdirectories(of: top).reversed()
    }
  }

  private static func subdirectories(of top: String) -> [String] {
    var result = [top]
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: top)) ?? []
    for entry in entries.sorted() {
      var isDirectory: ObjCBool = false
      let path = "\(top)/\(entry)"
      if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory),
        isDirectory.boolValue
      {
        result += subdirectories(of: path)
      }
    }
    return result
  }

  /// Kills the processes left in the cgroups under `relative` (they can only belong to the
  /// sandbox, whose cgroup parent is unique), then removes the cgroups leaf first.
  static func removeCgroups(relative: String, cgroupRoot: String = "/sys/fs/cgroup") {
    let directories = cgroupDirectories(relative: relative, cgroupRoot: cgroupRoot)
    let pids = directories.flatMap { directory -> [pid_t] in
      let raw = ProcFile.read("\(directory)/cgroup.procs") ?? Data()
      return String(decoding: raw, as: UTF8.self).split(separator: "\n").compactMap {
        pid_t($0)
      }
    }
    thaw(directories)
    killAndWait(Array(Set(pids)))
    for directory in directories {
      for _ in 0..<50 where rmdir(directory) != 0 && errno == EBUSY {
        usleep(20_000)
      }
    }
  }

  /// Thaws frozen v1 freezer cgroups so their processes can receive SIGKILL.
  private static func thaw(_ directories: [String]) {
    for directory in directories {
      let state = "\(directory)/freezer.state"
      if FileManager.default.fileExists(atPath: state) {
        try? "THAWED".write(toFile: state, atomically: false, encoding: .utf8)
      }
      let v2Freeze = "\(directory)/cgroup.freeze"
      if FileManager.default.fileExists(atPath: v2Freeze) {
        try? "0".write(toFile: v2Freeze, atomically: false, encoding: .utf8)
      }
    }
  }

  // MARK: - Files

  /// Clears the immutable attribute on `paths`, then on the whole tree when removal of
  /// `root` still fails, and removes `root`.
  static func removeTree(_ root: String, immutablePaths: [String]) {
    for path in immutablePaths {
      _ = try? Command.run(["/usr/bin/chattr", "-i", path], check: false)
    }
    if (try? FileManager.default.removeItem(atPath: root)) != nil { return }
    _ = try? Command.run(["/usr/bin/chattr", "-R", "-f", "-i", root], check: false)
    try? FileManager.default.removeItem(atPath: root)
  }
}

/// Reads a whole file with `read(2)` until end of file. procfs files report size 0, and
/// with Swift 6.3.1 on Linux both `FileManager.contents(atPath:)` and
/// `String(contentsOfFile:)` returned only the first 4028 bytes of a 16885-byte
/// `/proc/self/mountinfo`, which hid mounts from teardown.
enum ProcFile {
  static func read(_ path: String) -> Data? {
    let descriptor = Glibc.open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else { return nil }
    defer { close(descriptor) }
    var data = Data()
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
      let count = Glibc.read(descriptor, &buffer, buffer.count)
      if count < 0 && errno == EINTR { continue }
      guard count > 0 else { return count == 0 ? data : nil }
      data.append(contentsOf: buffer[0..<count])
    }
  }
}
