import Glibc

/// Reads every process from a procfs mount: `stat`, `cmdline`, `cgroup` and `ns/mnt` of each
/// `<proc>/<pid>` directory, with `openat` and `read` relative to the pid directory.
public struct ProcReader: Sendable {
  /// The procfs mount, such as `/proc`, or a fixture tree laid out like one.
  public var procPath: String

  public init(procPath: String = "/proc") {
    self.procPath = procPath
  }

  /// Reads every numeric directory under ``procPath``.
  ///
  /// A process that exits while it is being read (`ENOENT` or `ESRCH`) is left out without
  /// an error. A process whose files are malformed or unreadable for another reason is left
  /// out and described in `errors`.
  ///
  /// - Throws: `SystemCallError` when ``procPath`` itself cannot be listed.
  public func readProcesses(errors: inout [AuditError]) throws -> [Int32: HostProcess] {
    var processes: [Int32: HostProcess] = [:]
    for pid in try listPIDs() {
      do {
        if let process = try readProcess(pid) {
          processes[pid] = process
        }
      } catch let error as SystemCallError where error.isVanished {
        continue
      } catch {
        errors.append(AuditError(store: "proc", path: "\(procPath)/\(pid)", message: "\(error)"))
      }
    }
    return processes
  }

  /// Lists the numeric entries of ``procPath`` with `opendir` and `readdir`.
  func listPIDs() throws -> [Int32] {
    guard let directory = opendir(procPath) else {
      throw SystemCallError(call: "opendir", path: procPath, errno: errno)
    }
    defer { closedir(directory) }

    var pids: [Int32] = []
    while let entry = readdir(directory) {
      let pid = withUnsafeBytes(of: entry.pointee.d_name) { bytes in
        Self.parsePID(bytes.prefix(while: { $0 != 0 }))
      }
      if let pid {
        pids.append(pid)
      }
    }
    return pids
  }

  /// Reads one process, or returns nil when its directory is already gone.
  func readProcess(_ pid: Int32) throws -> HostProcess? {
    let directoryPath = "\(procPath)/\(pid)"
    let directory: Int32
    do {
      directory = try FileDescriptor.open(
        directoryPath, flags: O_RDONLY | O_DIRECTORY, displayPath: directoryPath)
    } catch let error as SystemCallError where error.isVanished {
      return nil
    }
    defer { close(directory) }

    let statPath = directoryPath + "/stat"
    let statBytes = try FileDescriptor.readFile(
      "stat", relativeTo: directory, displayPath: statPath)
    guard let stat = ProcStat(parsing: statBytes) else {
      throw ProcFileError(path: statPath, line: 1, reason: "malformed stat line")
    }
    let arguments = try FileDescriptor.readFile(
      "cmdline", relativeTo: directory, displayPath: directoryPath + "/cmdline")
    let cgroups = try readCgroups(relativeTo: directory, path: directoryPath + "/cgroup")
    let namespace = readMountNamespace(relativeTo: directory)

    return HostProcess(
      pid: pid, parentPID: stat.parentPID, state: stat.state, command: stat.command,
      arguments: Self.splitArguments(arguments), startTicks: stat.startTicks,
      mountNamespace: namespace, cgroups: cgroups)
  }

  private func readCgroups(relativeTo directory: Int32, path: String) throws -> [CgroupMembership] {
    let bytes = try FileDescriptor.readFile("cgroup", relativeTo: directory, displayPath: path)
    var memberships: [CgroupMembership] = []
    for (index, line) in String(decoding: bytes, as: UTF8.self).split(separator: "\n").enumerated()
    {
      guard let membership = CgroupMembership(parsing: line) else {
        throw ProcFileError(path: path, line: index + 1, reason: "malformed cgroup line")
      }
      memberships.append(membership)
    }
    return memberships
  }

  /// Returns the inode of the `ns/mnt` link, or nil when it cannot be read, as for zombies
  /// and, without `CAP_SYS_PTRACE`, for other users' processes.
  private func readMountNamespace(relativeTo directory: Int32) -> UInt64? {
    guard let link = try? FileDescriptor.readLink("ns/mnt", relativeTo: directory, displayPath: "")
    else {
      return nil
    }
    return Self.parseNamespaceLink(link, type: "mnt")
  }

  // MARK: - Parsing

  /// Parses a directory name made only of decimal digits as a pid.
  static func parsePID(_ name: some Collection<UInt8>) -> Int32? {
    guard !name.isEmpty, name.count <= 10, name.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
      return nil
    }
    return Int32(String(decoding: name, as: UTF8.self))
  }

  /// Splits `cmdline` at NUL bytes; the final NUL ends the last argument.
  static func splitArguments(_ bytes: [UInt8]) -> [String] {
    var parts = bytes.split(separator: 0, omittingEmptySubsequences: false)
    if parts.last?.isEmpty == true {
      parts.removeLast()
    }
    return parts.map { String(decoding: $0, as: UTF8.self) }
  }

  /// Parses a namespace link such as `mnt:[4026531841]` into its inode number.
  static func parseNamespaceLink(_ link: String, type: String) -> UInt64? {
    let prefix = type + ":["
    guard link.hasPrefix(prefix), link.hasSuffix("]") else {
      return nil
    }
    return UInt64(link.dropFirst(prefix.count).dropLast())
  }
}
