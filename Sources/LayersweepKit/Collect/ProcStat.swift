/// The fields of `/proc/<pid>/stat` that the audit uses.
struct ProcStat: Equatable {
  var command: String
  var state: Character
  var parentPID: Int32
  /// Field 22, `starttime`, in clock ticks after boot.
  var startTicks: UInt64

  init(command: String, state: Character, parentPID: Int32, startTicks: UInt64) {
    self.command = command
    self.state = state
    self.parentPID = parentPID
    self.startTicks = startTicks
  }

  /// Parses one `stat` line, or returns nil when it is malformed.
  ///
  /// The command name sits in parentheses and may itself contain spaces and parentheses, so
  /// it runs from the first `(` to the last `)`. The fields after it are space-separated,
  /// starting with field 3 (`state`).
  init?(parsing bytes: [UInt8]) {
    guard let open = bytes.firstIndex(of: UInt8(ascii: "(")),
      let close = bytes.lastIndex(of: UInt8(ascii: ")")), open < close
    else {
      return nil
    }
    let fields = bytes[(close + 1)...].split(separator: UInt8(ascii: " "))
    // fields[0] is field 3 (state), fields[1] field 4 (ppid), fields[19] field 22.
    guard fields.count >= 20, fields[0].count == 1,
      let parentPID = Int32(String(decoding: fields[1], as: UTF8.self)),
      let startTicks = UInt64(String(decoding: fields[19], as: UTF8.self))
    else {
      return nil
    }
    command = String(decoding: bytes[(open + 1)..<close], as: UTF8.self)
    state = Character(Unicode.Scalar(fields[0][fields[0].startIndex]))
    self.parentPID = parentPID
    self.startTicks = startTicks
  }
}
