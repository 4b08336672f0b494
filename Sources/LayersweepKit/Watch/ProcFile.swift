#if canImport(Glibc)
  import Glibc
#endif

/// Small reads from procfs with plain system calls, so a /proc scan of every task costs
/// one open, read and close per file and allocates little.
enum ProcFile {
  /// Reads at most `limit` bytes of `path` as text, or returns nil when it cannot be read.
  static func read(_ path: String, limit: Int = 4096) -> String? {
    let descriptor = open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else { return nil }
    defer { close(descriptor) }
    var buffer = [UInt8](repeating: 0, count: limit)
    var total = 0
    while total < limit {
      let count = buffer.withUnsafeMutableBytes {
        Glibc.read(descriptor, $0.baseAddress! + total, limit - total)
      }
      if count < 0 && errno == EINTR { continue }
      if count <= 0 { break }
      total += count
    }
    return String(decoding: buffer[0..<total], as: UTF8.self)
  }

  /// The target of the symbolic link `path`, such as `/proc/<pid>/fd/3`, or nil.
  /// Reading a magic link under /proc formats a path and does not call the filesystem.
  static func readLink(_ path: String) -> String? {
    var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
    let count = readlink(path, &buffer, Int(PATH_MAX))
    guard count > 0 else { return nil }
    return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }

  /// The numeric entries of the directory `path`, such as the pids under `/proc`.
  static func numericEntries(_ path: String) -> [Int32] {
    guard let directory = opendir(path) else { return [] }
    defer { closedir(directory) }
    var numbers: [Int32] = []
    while let entry = readdir(directory) {
      let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
        String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
      }
      if let number = Int32(name) { numbers.append(number) }
    }
    return numbers
  }
}
