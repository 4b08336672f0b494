/// The fields of `/proc/<pid>/task/<tid>/stat` the blocked-task scan needs.
struct TaskStat: Equatable, Sendable {
  /// The command name (`comm`), at most 15 bytes.
  var command: String
  /// The one-letter state: R, S, D, Z, T, t, X, I.
  var state: Character
  /// Start time in clock ticks after boot (field 22), which tells a reused pid apart.
  var startTicks: UInt64

  /// Parses a stat line, or returns nil for a malformed one. The command may contain
  /// spaces and parentheses, so the fields after it are found from the last `)`.
  static func parse(_ line: String) -> TaskStat? {
    guard let open = line.firstIndex(of: "("), let close = line.lastIndex(of: ")"),
      open < close
    else { return nil }
    let command = String(line[line.index(after: open)..<close])
    let rest = line[line.index(after: close)...].split(separator: " ")
    guard rest.count > 19, let state = rest[0].first, let startTicks = UInt64(rest[19])
    else { return nil }
    return TaskStat(command: command, state: state, startTicks: startTicks)
  }
}
