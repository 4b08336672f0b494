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

  /// Reads from `descriptor` until end of file, in chunks that double in size.
  static func readAll(_ descriptor: Int32, displayPath: String) throws -> [UInt8] {
    var bytes: [UInt8] = []
    var chunkSize = 4096
    while true {
      let chunk = try readChunk(descriptor, size: chunkSize, displayPath: displayPath)
      if bytes.isEmpty {
        bytes = chunk
      } else {
        bytes += chunk
      }
      if chunk.count < chunkSize {
        return bytes
      }
      chunkSize *= 2
    }
  }

  /// Reads until `size` bytes arrived or end of file, retrying on `EINTR`.
  private static func readChunk(_ descriptor: Int32, size: Int, displayPath: String) throws
    -> [UInt8]
  {
    var failure: Int32 = 0
    let chunk = [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
      count = 0
      while count < size, let start = buffer.baseAddress {
        let result = read(descriptor, start + count, size - count)
        if result > 0 {
          count += result
        } else if result == 0 {
          return
        } else if errno != EINTR {
          failure = errno
          return
        }
      }
    }
    if failure != 0 {
      throw SystemCallError(call: "read", path: displayPath, errno: failure)
    }
    return chunk
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
