import Foundation

/// Reads store metadata files without following a final symlink and without blocking on a
/// FIFO or device node planted where a regular file should be.
enum RegularFile {
  /// The reason a file could not be read.
  enum ReadError: Error, Equatable {
    case notFound
    /// A symlink, directory, FIFO, socket or device node.
    case notRegularFile
    case tooLarge(limit: Int)
    case failed(errno: Int32)

    var message: String {
      switch self {
      case .notFound: return "the file does not exist"
      case .notRegularFile: return "not a regular file (a symlink, FIFO or device is rejected)"
      case .tooLarge(let limit): return "the file is larger than the \(limit)-byte limit"
      case .failed(let code): return "cannot read the file: \(String(cString: strerror(code)))"
      }
    }
  }

  /// Returns the contents of the regular file at `path`, at most `limit` bytes.
  /// Opens with `O_NOFOLLOW | O_NONBLOCK`, so neither a symlink nor a FIFO is followed or
  /// waited on, and checks the type with `fstat` before reading.
  static func read(_ path: String, limit: Int) throws(ReadError) -> Data {
    let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)
    guard descriptor >= 0 else {
      let code = errno
      if code == ENOENT { throw .notFound }
      throw code == ELOOP ? .notRegularFile : .failed(errno: code)
    }
    defer { close(descriptor) }
    var info = stat()
    guard fstat(descriptor, &info) == 0 else { throw .failed(errno: errno) }
    guard (info.st_mode & S_IFMT) == S_IFREG else { throw .notRegularFile }
    return try readAll(descriptor, limit: limit)
  }

  private static func readAll(_ descriptor: Int32, limit: Int) throws(ReadError) -> Data {
    var data = Data()
    var buffer = [UInt8](repeating: 0, count: 65_536)
    while true {
      let count = Glibc.read(descriptor, &buffer, buffer.count)
      if count < 0 {
        if errno == EINTR { continue }
        throw .failed(errno: errno)
      }
      if count == 0 { return data }
      guard data.count + count <= limit else { throw .tooLarge(limit: limit) }
      data.append(contentsOf: buffer[0..<count])
    }
  }
}
