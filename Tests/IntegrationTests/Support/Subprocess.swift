import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// A child process started with `posix_spawn` and reaped with `waitpid` on its own pid.
/// Foundation's `Process` is not used because on Linux it sometimes never reaps a child
/// killed by SIGKILL, which hung `waitUntilExit()` here with the child left a zombie.
final class Subprocess: @unchecked Sendable {
  let pid: pid_t
  private let lock = NSLock()
  private var status: Int32?

  /// Starts `arguments[0]` (an absolute path) with the given descriptors as its standard
  /// input, output and error, and all signals at their defaults. With `newSession` the child
  /// gets a session of its own, so terminal signals to the test runner do not reach it.
  init(
    _ arguments: [String], environment: [String: String]? = nil, stdin: Int32, stdout: Int32,
    stderr: Int32, newSession: Bool = false
  ) throws {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    for (source, target) in [(stdin, Int32(0)), (stdout, 1), (stderr, 2)] {
      posix_spawn_file_actions_adddup2(&actions, source, target)
    }
    var attributes = try Self.attributes(newSession: newSession)
    defer { posix_spawnattr_destroy(&attributes) }

    let argv = arguments.map { strdup($0) } + [nil]
    let merged = ProcessInfo.processInfo.environment.merging(environment ?? [:]) { $1 }
    let envp = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer { (argv + envp).forEach { free($0) } }

    var child: pid_t = 0
    let result = Descriptor.lock.withLock {
      posix_spawn(&child, arguments[0], &actions, &attributes, argv, envp)
    }
    guard result == 0 else {
      throw CommandError(
        command: arguments, message: "posix_spawn failed: \(String(cString: strerror(result)))")
    }
    pid = child
  }

  private static func attributes(newSession: Bool) throws -> posix_spawnattr_t {
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    var defaults = sigset_t()
    sigfillset(&defaults)
    var empty = sigset_t()
    sigemptyset(&empty)
    posix_spawnattr_setsigdefault(&attributes, &defaults)
    posix_spawnattr_setsigmask(&attributes, &empty)
    var flags = Int32(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK)
    if newSession { flags |= posixSpawnSetSID }
    posix_spawnattr_setflags(&attributes, Int16(flags))
    return attributes
  }

  /// glibc's `POSIX_SPAWN_SETSID` (glibc 2.26 and later), a GNU extension Swift does not
  /// import.
  private static let posixSpawnSetSID: Int32 = 0x80

  /// Whether the child has not exited yet; reaps it when it has.
  var isRunning: Bool {
    lock.withLock {
      if status != nil { return false }
      var raw: Int32 = 0
      let result = waitpid(pid, &raw, WNOHANG)
      if result == pid || (result < 0 && errno == ECHILD) {
        status = result == pid ? Self.decode(raw) : -1
        return false
      }
      return true
    }
  }

  /// The exit code, or 128 plus the signal number when a signal ended the child.
  var terminationStatus: Int32 {
    lock.withLock { status ?? -1 }
  }

  /// Waits up to `timeout` seconds; on timeout sends SIGKILL, reaps the child and returns
  /// false.
  @discardableResult
  func wait(timeout: TimeInterval) -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while isRunning {
      if Date() >= deadline {
        kill(pid, SIGKILL)
        while isRunning { usleep(10_000) }
        return false
      }
      usleep(10_000)
    }
    return true
  }

  private static func decode(_ raw: Int32) -> Int32 {
    let signal = raw & 0x7f
    return signal == 0 ? (raw >> 8) & 0xff : 128 + signal
  }
}

/// Pipes and files opened close-on-exec, so concurrently started children inherit only the
/// descriptors given to them and a reader always sees end of file.
enum Descriptor {
  /// Held while a pipe is created and marked close-on-exec and while a child is spawned,
  /// because Swift does not import `pipe2` and a spawn between `pipe` and `fcntl` would
  /// leak the pipe into that child.
  static let lock = NSLock()

  static func pipe() throws -> (read: Int32, write: Int32) {
    try lock.withLock {
      var ends: [Int32] = [0, 0]
      guard Glibc.pipe(&ends) == 0 else {
        throw CommandError(command: ["pipe"], message: String(cString: strerror(errno)))
      }
      for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
      return (ends[0], ends[1])
    }
  }

  static func open(_ path: String, flags: Int32, mode: mode_t = 0o644) throws -> Int32 {
    let descriptor = Glibc.open(path, flags | O_CLOEXEC, mode)
    guard descriptor >= 0 else {
      throw CommandError(command: ["open", path], message: String(cString: strerror(errno)))
    }
    return descriptor
  }

  /// Reads `descriptor` to end of file on a background thread and closes it; the returned
  /// closure waits for the data.
  static func readAll(_ descriptor: Int32) -> () -> Data {
    let box = DataBox()
    let group = DispatchGroup()
    group.enter()
    DispatchQueue.global().async {
      let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
      box.data = handle.readDataToEndOfFile()
      group.leave()
    }
    return {
      group.wait()
      return box.data
    }
  }
}

private final class DataBox: @unchecked Sendable {
  var data = Data()
}
