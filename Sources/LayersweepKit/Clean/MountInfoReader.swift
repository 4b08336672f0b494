import Foundation

/// Reads a `mountinfo` table fresh from procfs, for the re-verification right before an item
/// is acted on. The audit's snapshot is not reused because it may be minutes old.
public enum MountInfoReader {
  /// Reads `<proc>/self/mountinfo`.
  public static func readHostTable(proc: String = "/proc") throws -> [MountEntry] {
    try readTable(path: proc + "/self/mountinfo")
  }

  /// Reads one mountinfo file, such as `/proc/<pid>/mountinfo`.
  public static func readTable(path: String) throws -> [MountEntry] {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw CleanError.unreadableFile(path: path, reason: "the mount table is unreadable")
    }
    return try parse(String(decoding: data, as: UTF8.self), path: path)
  }

  /// Parses mountinfo lines: `id parent major:minor root target vfs-options [optional...] -
  /// fstype source fs-options`, with `\040`-style octal escapes decoded.
  static func parse(_ text: String, path: String) throws -> [MountEntry] {
    var entries: [MountEntry] = []
    for (number, line) in text.split(separator: "\n").enumerated() {
      let fields = line.split(separator: " ").map(String.init)
      guard let separator = fields.firstIndex(of: "-"), separator >= 6,
        fields.count >= separator + 3, let mountID = Int(fields[0]), let parentID = Int(fields[1])
      else {
        throw CleanError.unreadableFile(path: path, reason: "line \(number + 1) is malformed")
      }
      entries.append(
        MountEntry(
          mountID: mountID, parentID: parentID, device: fields[2], root: unescape(fields[3]),
          target: unescape(fields[4]), fsType: fields[separator + 1],
          source: unescape(fields[separator + 2]), vfsOptions: fields[5],
          fsOptions: fields.count > separator + 3 ? unescape(fields[separator + 3]) : "",
          optionalFields: fields[6..<separator].joined(separator: " ")))
    }
    return entries
  }

  /// Decodes the kernel's octal escapes for space, tab, newline and backslash.
  static func unescape(_ field: String) -> String {
    guard field.contains("\\") else { return field }
    var bytes: [UInt8] = []
    let source = Array(field.utf8)
    var index = 0
    while index < source.count {
      if source[index] == 0x5C, index + 3 < source.count,
        let value = UInt8(
          String(decoding: source[(index + 1)...(index + 3)], as: UTF8.self), radix: 8)
      {
        bytes.append(value)
        index += 4
      } else {
        bytes.append(source[index])
        index += 1
      }
    }
    return String(decoding: bytes, as: UTF8.self)
  }
}
