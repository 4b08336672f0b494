import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// The outcome of one finished child process.
struct CommandResult: Sendable {
  var status: Int32
  var stdout: String
  var stderr: String
}

/// A command that failed, timed out or could not be started, with its output.
struct CommandError: Error, CustomStringConvertible {
  var command: [String]
  var message: String

  var description: String { "\(command.joined(separator: " ")): \(message)" }
}

/// Runs external programs for the integration fixtures, always with a deadline.
enum Command {
  /// Runs `arguments` (an absolute executable path first) and waits at most `timeout`
  /// seconds, sending SIGKILL to the child when the deadline passes.
  @discardableResult
  static func run(
    _ arguments: [String], environment: [String: String]? = nil, stdin: Data? = nil,
    timeout: TimeInterval = 120, check: Bool = true
  ) throws -> CommandResult {
    let input = try Descriptor.pipe()
    let output = try Descriptor.pipe()
    let errors = try Descriptor.pipe()
    let child: Subprocess
    do {
      child = try Subprocess(
        arguments, environment: environment, stdin: input.read, stdout: output.write,
        stderr: errors.write)
    } catch {
      [input.read, input.write, output.read, output.write, errors.read, errors.write].forEach {
        close($0)
      }
      throw error
    }
    [input.read, output.write, errors.write].forEach { close($0) }
    let stdout = Descriptor.readAll(output.read)
    let stderr = Descriptor.readAll(errors.read)
    writeAndClose(input.write, stdin ?? Data())

    let finished = child.wait(timeout: timeout)
    let result = CommandResult(
      status: child.terminationStatus, stdout: String(decoding: stdout(), as: UTF8.self),
      stderr: String(decoding: stderr(), as: UTF8.self))
    if !finished {
      throw CommandError(command: arguments, message: "timed out after \(Int(timeout)) s")
    }
    if check && result.status != 0 {
      throw CommandError(
        command: arguments, message: "exit status \(result.status): \(result.stderr)")
    }
    return result
  }

  /// Starts `arguments` in its own session with output appended to `logPath`; the caller
  /// owns the child and must stop it by pid. `stdin` defaults to `/dev/null`.
  static func spawn(_ arguments: [String], logPath: String, stdin: Int32? = nil) throws
    -> Subprocess
  {
    let log = try Descriptor.open(logPath, flags: O_WRONLY | O_CREAT | O_APPEND)
    defer { close(log) }
    let null = try Descriptor.open("/dev/null", flags: O_RDONLY)
    defer { close(null) }
    return try Subprocess(
      arguments, environment: ["PATH": searchPath], stdin: stdin ?? null, stdout: log,
      stderr: log, newSession: true)
  }

  /// The search path for daemons, which need `containerd`, `runc` and `unshare`.
  static let searchPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

  private static func writeAndClose(_ descriptor: Int32, _ data: Data) {
    data.withUnsafeBytes { buffer in
      var offset = 0
      while offset < buffer.count {
        let written = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
        if written <= 0 { break }
        offset += written
      }
    }
    close(descriptor)
  }
}
