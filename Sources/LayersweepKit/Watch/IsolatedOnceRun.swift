#if canImport(Glibc)
  import Glibc
#endif

/// Runs `watch --once` in a forked child process and relays its output and exit status.
///
/// A probe thread stuck in state D keeps the kernel from reaping its process, and keeps the
/// process's standard output open, so a plugin runner such as node-problem-detector would
/// wait on it until the filesystem recovers. The child therefore gets /dev/null as its
/// standard streams and sends everything through pipes, which it closes before it exits.
/// The parent exits as soon as the child's result is in, and the init process reaps a child
/// that stays stuck once the kernel lets it go.
enum IsolatedOnceRun {
  /// Seconds the parent waits beyond the child's own deadline before giving up on it.
  static let graceSeconds = 5.0

  /// Forks, runs `configuration` once in the child and returns the child's exit status.
  /// Must run before the process starts any other thread, because `fork` copies only the
  /// calling thread. Falls back to an in-process run when `fork` fails.
  static func run(_ configuration: WatchConfiguration, console: Console) -> ExitStatus {
    var output: [Int32] = [-1, -1]
    var errors: [Int32] = [-1, -1]
    var status: [Int32] = [-1, -1]
    guard pipe(&output) == 0, pipe(&errors) == 0, pipe(&status) == 0 else {
      console.log(.warning, "pipe failed; running in-process", ["error": WatchError.text(errno)])
      return Watchdog(configuration: configuration, console: console).runOnce()
    }
    let child = fork()
    if child == 0 {
      runChild(configuration, output: output, errors: errors, status: status, console: console)
    }
    for descriptor in [output[1], errors[1], status[1]] { close(descriptor) }
    defer { for descriptor in [output[0], errors[0], status[0]] { close(descriptor) } }
    guard child > 0 else {
      console.log(.warning, "fork failed; running in-process", ["error": WatchError.text(errno)])
      return Watchdog(configuration: configuration, console: console).runOnce()
    }
    let deadline =
      MonotonicClock.now() + configuration.timeout + Watchdog.onceMinimumSeconds + graceSeconds
    let result = relay(
      output: output[0], errors: errors[0], status: status[0], deadline: deadline, console: console)
    var waitStatus: Int32 = 0
    _ = waitpid(child, &waitStatus, WNOHANG)
    guard let result else {
      kill(child, SIGKILL)
      console.log(.error, "watch --once did not finish in time", ["pid": "\(child)"])
      return .failed
    }
    return result
  }

  private static func runChild(
    _ configuration: WatchConfiguration, output: [Int32], errors: [Int32], status: [Int32],
    console: Console
  ) -> Never {
    for descriptor in [output[0], errors[0], status[0]] { close(descriptor) }
    let null = open("/dev/null", O_RDWR)
    for standard in Int32(0)...2 { dup2(null, standard) }
    closeInheritedDescriptors(keeping: [0, 1, 2, output[1], errors[1], status[1]])
    let (outputDescriptor, errorDescriptor) = (output[1], errors[1])
    let childConsole = Console(
      out: { writeAll(outputDescriptor, Array($0.utf8)) },
      err: { writeAll(errorDescriptor, Array($0.utf8)) })
    childConsole.minimumSeverity = console.minimumSeverity

    let result = Watchdog(configuration: configuration, console: childConsole).runOnce()
    writeAll(status[1], [UInt8(result.rawValue)])
    for descriptor in [output[1], errors[1], status[1]] { close(descriptor) }
    _exit(result.rawValue)
  }

  /// Closes every descriptor of the child except `kept`. A runner that reads the plugin's
  /// output until end of file, such as a shell with a pipe, may have passed further copies
  /// of that pipe without close-on-exec, and a stuck child must not hold them.
  private static func closeInheritedDescriptors(keeping kept: Set<Int32>) {
    let open = ProcFile.numericEntries("/proc/self/fd")
    for descriptor in open where !kept.contains(descriptor) { close(descriptor) }
  }

  /// Copies the child's output and logs to `console` until the child closes its pipes, and
  /// returns its exit status; nil when the deadline passes first.
  private static func relay(
    output: Int32, errors: Int32, status: Int32, deadline: Double, console: Console
  ) -> ExitStatus? {
    var open: [Int32] = [output, errors, status]
    var result: ExitStatus?
    var buffer = [UInt8](repeating: 0, count: 4096)
    while !open.isEmpty {
      let remaining = deadline - MonotonicClock.now()
      guard remaining > 0 else { return nil }
      var entries = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
      let ready = poll(&entries, nfds_t(entries.count), Int32(remaining * 1000) + 1)
      if ready < 0 && errno == EINTR { continue }
      guard ready > 0 else { continue }
      for entry in entries where entry.revents != 0 {
        let count = read(entry.fd, &buffer, buffer.count)
        if count <= 0 {
          open.removeAll { $0 == entry.fd }
          continue
        }
        let text = String(decoding: buffer[0..<count], as: UTF8.self)
        if entry.fd == output { console.print(text) }
        if entry.fd == errors { console.printError(text) }
        if entry.fd == status { result = ExitStatus(rawValue: Int32(buffer[0])) ?? .failed }
      }
    }
    return result
  }
}

/// Writes all of `bytes` to `descriptor`, retrying short writes and `EINTR`.
private func writeAll(_ descriptor: Int32, _ bytes: [UInt8]) {
  var offset = 0
  while offset < bytes.count {
    let count = bytes[offset...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
    if count < 0 && errno == EINTR { continue }
    guard count > 0 else { return }
    offset += count
  }
}
