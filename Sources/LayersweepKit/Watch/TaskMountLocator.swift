/// Finds the mount a blocked task waits on, where `/proc` shows it, with the evidence.
///
/// `/proc/<pid>/task/<tid>/syscall` gives the system call the task sleeps in and its
/// arguments. When the first argument is a file descriptor, `/proc/<pid>/fd/<n>` names
/// the file. When the call resolves a path relative to the working directory (a path call,
/// or an `*at` call with `AT_FDCWD`), the working directory is used, but only when it sits
/// on a mount whose probe is stuck, because an absolute path argument would ignore it and
/// reading the path string would need the task's memory, which a hung task may keep locked.
struct TaskMountLocator: Sendable {
  /// The mount a blocked task waits on, with the evidence.
  struct Location: Equatable, Sendable {
    var mountPoint: String
    var evidence: String
  }

  /// The procfs mount point.
  var procRoot: String
  var mounts: [MountEntry]
  /// Mount points whose probe is stuck right now.
  var hungMountPoints: Set<String>

  /// Returns the mount task `tid` of process `pid` waits on, or nil when /proc does not show it.
  func locate(pid: Int32, tid: Int32) -> Location? {
    let syscallText = ProcFile.read("\(procRoot)/\(pid)/task/\(tid)/syscall", limit: 512)
    guard let call = syscallText.flatMap(SyscallSnapshot.parse) else { return nil }
    let name = SyscallTable.name(of: call.number) ?? "system call \(call.number)"

    if SyscallTable.takesDescriptor(call.number), let fd = call.firstArgumentAsDescriptor,
      fd >= 0, let file = ProcFile.readLink("\(procRoot)/\(pid)/fd/\(fd)"),
      let mount = MountSelector.containingMount(of: file, in: mounts)
    {
      let reason = "waits in \(name) on fd \(fd) (\(file)), which is on \(mount.target)"
      return Location(mountPoint: mount.target, evidence: reason)
    }
    guard SyscallTable.resolvesFromWorkingDirectory(call) else { return nil }
    guard let directory = ProcFile.readLink("\(procRoot)/\(pid)/cwd"),
      let mount = MountSelector.containingMount(of: directory, in: mounts),
      hungMountPoints.contains(mount.target)
    else { return nil }
    let reason =
      "waits in \(name) relative to its working directory \(directory), which is on the "
      + "hung mount \(mount.target)"
    return Location(mountPoint: mount.target, evidence: reason)
  }
}

/// One line of `/proc/<pid>/task/<tid>/syscall`: the call number and its six arguments.
struct SyscallSnapshot: Equatable, Sendable {
  var number: Int
  var arguments: [UInt64]

  /// `AT_FDCWD`. The kernel prints each argument register in hex, and an `int` argument
  /// such as a descriptor fills only the low 32 bits, so AT_FDCWD shows as `0xffffff9c`.
  static let currentDirectoryDescriptor: Int32 = -100

  /// Parses `nr arg1 ... arg6 sp pc`; nil for `running`, `-1 sp pc` (not in a system
  /// call) and malformed text.
  static func parse(_ text: String) -> SyscallSnapshot? {
    let fields = text.split(whereSeparator: { $0 == " " || $0 == "\n" })
    guard fields.count >= 7, let number = Int(fields[0]), number >= 0 else { return nil }
    let arguments = fields[1...6].compactMap { UInt64($0.dropFirst(2), radix: 16) }
    guard arguments.count == 6 else { return nil }
    return SyscallSnapshot(number: number, arguments: arguments)
  }

  /// The first argument read as an `int`, the type of descriptor arguments.
  var firstArgumentAsInt32: Int32? {
    arguments.first.map { Int32(truncatingIfNeeded: $0) }
  }

  /// The first argument as a file descriptor, or nil when it is `AT_FDCWD` or negative.
  var firstArgumentAsDescriptor: Int32? {
    guard let value = firstArgumentAsInt32, value >= 0 else { return nil }
    return value
  }
}
