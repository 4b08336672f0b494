import Glibc

/// Thin wrappers over `openat`, `read` and `readlinkat` for the small kernel files the
/// collector reads by the thousand, where `FileManager` would cost too much per call.
enum FileDescriptor {
  /// Opens `name` relative to the directory `directory` (or `AT_FDCWD`), retrying on `EINTR`.
  static func open(
    _ name: String, relativeTo directory: Int32 = AT_FDCWD, flags: Int32,
    displayPath: String
  ) throws -> Int32 {
    while true {
      let descriptor = openat(directory, name, flags | O_CLOEXEC)
      if descriptor >= 0 {
        return descriptor
      }
      if errno != EINTR {
        throw SystemCallError(call: "openat", path: displayPath, errno: errno)
      }
    }
  }

  /// Reads the whole file `name` below `directory`.
  static func readFile(
    _ name: String, relativeTo directory: Int32 = AT_FDCWD,
    displayPath: String
  ) throws -> [UInt8] {
    let descriptor = try open(
      name, relativeTo: directory, flags: O_RDONLY | O_NOFOLLOW, displayPath: displayPath)
    defer { close(descriptor) }
    return try readAll(descriptor, displayPath: displayPath)
  }

  /// Reads from `descriptor` until end of file, growing the buffer as needed.
  static func readAll(
    _ descriptor: Int32, displayPath: String
  ) throws -> [UInt8] {
    var buffer = [UInt8](repeating: 0, count: 4096)
    var length = 0
    while true {
      if length == buffer.count {
        buffer.append(contentsOf: repeatElement(0, count: buffer.count))
      }
      let count = buffer.withUnsafeMutableBytes { bytes in
        read(descriptor, bytes.baseAddress! + length, bytes.count - length)
      }
      if count > 0 {
        length += count
      } else if count == 0 {
        return Array(buffer[..<length])
      } else if errno != EINTR {
        throw SystemCallError(call: "read", path: displayPath, errno: errno)
      }
    }
  }

  /// Reads the target of the symbolic link `name` below `directory`. Targets longer than
  /// 255 bytes are cut off, which is enough for the `ns/` links it is used on.
  static func readLink(
    _ name: String, relativeTo directory: Int32 = AT_FDCWD,
    displayPath: String
  ) throws -> String {
    var buffer = [CChar](repeating: 0, count: 256)
    let count = readlinkat(directory, name, &buffer, buffer.count)
    guard count >= 0 else {
      throw SystemCallError(call: "readlinkat", path: displayPath, errno: errno)
    }
    let bytes = buffer[..<count].map { UInt8(bitPattern: $0) }
    return String(decoding: bytes, as: UTF8.self)
  }
}
