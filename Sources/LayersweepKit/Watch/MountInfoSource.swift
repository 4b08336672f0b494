import Foundation

/// The mount table the watchdog selects its mounts from.
enum MountInfoSource {
  /// Reads and parses a mountinfo table such as `/proc/self/mountinfo`.
  ///
  /// Reading mountinfo formats what the kernel keeps in memory and waits on no filesystem
  /// I/O; the frozen-ext4 and stopped-FUSE tests read it while those mounts hang.
  /// TODO: switch to the Collect stage's libmount reader once it is merged, and drop this
  /// parser.
  static func readMounts(path: String) throws -> [MountEntry] {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw WatchError.unreadable(path: path, errno: errno)
    }
    let text = String(decoding: data, as: UTF8.self)
    return text.split(separator: "\n").compactMap { parseLine(Substring($0)) }
  }

  /// Parses one mountinfo line, or returns nil for a malformed one.
  static func parseLine(_ line: Substring) -> MountEntry? {
    let fields = line.split(separator: " ", omittingEmptySubsequences: false)
    guard let separator = fields.firstIndex(of: "-"), separator >= 6,
      fields.count >= separator + 4,
      let mountID = Int(fields[0]), let parentID = Int(fields[1])
    else { return nil }
    let optional = fields[6..<separator].joined(separator: " ")
    return MountEntry(
      mountID: mountID, parentID: parentID, device: String(fields[2]),
      root: unescape(fields[3]), target: unescape(fields[4]),
      fsType: String(fields[separator + 1]), source: unescape(fields[separator + 2]),
      vfsOptions: String(fields[5]), fsOptions: unescape(fields[separator + 3]),
      optionalFields: optional)
  }

  /// Decodes the kernel's octal escapes (`\040` for a space, `\011`, `\012`, `\134`).
  static func unescape(_ field: Substring) -> String {
    guard field.contains("\\") else { return String(field) }
    var bytes: [UInt8] = []
    let source = Array(field.utf8)
    var index = 0
    while index < source.count {
      if source[index] == UInt8(ascii: "\\"), index + 3 < source.count,
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
