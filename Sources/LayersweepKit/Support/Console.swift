import Foundation

/// Where a command writes: results to standard output, diagnostics to standard error.
/// Tests pass a capturing console to drive commands in-process.
public final class Console: @unchecked Sendable {
  private let lock = NSLock()
  private let writeOut: @Sendable (String) -> Void
  private let writeErr: @Sendable (String) -> Void
  /// The lowest severity written to standard error.
  public var minimumSeverity: Severity = .notice

  public init(
    out: @escaping @Sendable (String) -> Void, err: @escaping @Sendable (String) -> Void
  ) {
    writeOut = out
    writeErr = err
  }

  /// A console on the process's own standard output and standard error.
  public static func standard() -> Console {
    Console(
      out: { FileHandle.standardOutput.write(Data($0.utf8)) },
      err: { FileHandle.standardError.write(Data($0.utf8)) })
  }

  /// Writes text to standard output as is.
  public func print(_ text: String) {
    lock.withLock { writeOut(text) }
  }

  /// Writes text to standard error as is, for usage errors and prompts.
  public func printError(_ text: String) {
    lock.withLock { writeErr(text) }
  }

  /// Writes one diagnostic line to standard error as `severity: message key=value ...`,
  /// when `severity` is at or above `minimumSeverity`.
  public func log(
    _ severity: Severity, _ message: String, _ fields: KeyValuePairs<String, String> = [:]
  ) {
    guard severity >= minimumSeverity else { return }
    var line = "\(severity.rawValue): \(message)"
    for (key, value) in fields {
      line += " \(key)=\(Self.quoted(value))"
    }
    lock.withLock { writeErr(line + "\n") }
  }

  /// Quotes a field value when it contains spaces, quotes or nothing at all.
  static func quoted(_ value: String) -> String {
    let needsQuotes = value.isEmpty || value.contains { $0 == " " || $0 == "\"" || $0 == "=" }
    guard needsQuotes else { return value }
    return "\"" + value.replacingOccurrences(of: "\"", with: "\\\"") + "\""
  }
}

/// Log severities, named as syslog and journald name them.
public enum Severity: String, Comparable, Sendable {
  case debug, info, notice, warning, error

  private var rank: Int {
    switch self {
    case .debug: 0
    case .info: 1
    case .notice: 2
    case .warning: 3
    case .error: 4
    }
  }

  public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
}
