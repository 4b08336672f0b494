import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Read-only access to store files that never follows a symbolic link in the last path
/// component: files are opened with `O_NOFOLLOW` and entries are examined with `lstat`.
/// Directories earlier in a path are followed, so callers descend only into entries that
/// `entries(of:)` or `status(of:)` reported as directories.
public enum StoreFileSystem {
  /// The type of a directory entry as `lstat` reports it.
  public enum EntryType: Sendable, Equatable {
    case directory, file, symbolicLink, other
  }

  /// One directory entry, examined without following links.
  public struct Entry: Sendable, Equatable {
    public var name: String
    public var type: EntryType
    /// Last modification time (`st_mtim`).
    public var modified: Date
  }

  /// The outcome of reading something that may legitimately be absent.
  public enum ReadResult<Value: Sendable>: Sendable {
    case value(Value)
    case missing
    /// The read failed for a reason other than absence; the message names the cause.
    case failed(String)
  }

  /// Examines `path` without following a final symbolic link.
  public static func status(of path: String) -> ReadResult<Entry> {
    var info = stat()
    guard lstat(path, &info) == 0 else {
      return errno == ENOENT || errno == ENOTDIR ? .missing : .failed(errorText("lstat"))
    }
    return .value(entry(name: lastComponent(of: path), info: info))
  }

  /// Returns the last component of `path` as `NSString.lastPathComponent` does (trailing
  /// slashes ignored, `/` for the root), without bridging to `NSString`, whose path handling
  /// took about a tenth of the CPU time of auditing 10,000 layers.
  static func lastComponent(of path: String) -> String {
    var end = path.utf8.endIndex
    while end > path.utf8.startIndex, path.utf8[path.utf8.index(before: end)] == UInt8(ascii: "/") {
      end = path.utf8.index(before: end)
    }
    guard end > path.utf8.startIndex else { return path.isEmpty ? "" : "/" }
    let trimmed = path.utf8[..<end]
    let start = trimmed.lastIndex(of: UInt8(ascii: "/")).map { path.utf8.index(after: $0) }
    return String(Substring(path.utf8[(start ?? trimmed.startIndex)..<end]))
  }

  /// Lists the entries of the directory at `path`, without `.` and `..`, sorted by name.
  public static func entries(of path: String) -> ReadResult<[Entry]> {
    let fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
    guard fd >= 0 else {
      return errno == ENOENT ? .missing : .failed(errorText("open"))
    }
    guard let stream = fdopendir(fd) else {
      close(fd)
      return .failed(errorText("fdopendir"))
    }
    defer { closedir(stream) }
    let names = entryNames(stream)
    let directoryFD = dirfd(stream)

    // Layer directories hold thousands of entries, so they are examined on every core.
    let threads = names.count < 512 ? 1 : ProcessInfo.processInfo.activeProcessorCount
    let examined = ParallelMap.map(names, threads: threads) { name in
      examine(name, in: directoryFD)
    }
    var result: [Entry] = []
    for outcome in examined {
      switch outcome {
      case .value(let entry): result.append(entry)
      case .failed(let message): return .failed(message)
      case .missing: continue
      }
    }
    return .value(result.sorted { $0.name < $1.name })
  }

  /// Reads the names in a directory stream, without `.` and `..`, in directory order.
  private static func entryNames(_ stream: OpaquePointer) -> [String] {
    var names: [String] = []
    while let raw = readdir(stream) {
      let name = withUnsafePointer(to: &raw.pointee.d_name) {
        $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
      }
      guard name != ".", name != ".." else { continue }
      names.append(name)
    }
    return names
  }

  /// Examines the entry `name` of the open directory `directoryFD` without following it.
  /// An entry removed since `readdir` listed it is missing; any other failure fails the
  /// listing, because the caller must not act on a partial one.
  private static func examine(_ name: String, in directoryFD: Int32) -> ReadResult<Entry> {
    var info = stat()
    guard fstatat(directoryFD, name, &info, AT_SYMLINK_NOFOLLOW) == 0 else {
      return errno == ENOENT ? .missing : .failed(errorText("lstat of '\(name)'"))
    }
    return .value(entry(name: name, info: info))
  }

  /// Reads at most `limit` bytes of the regular file at `path`; a longer file fails.
  public static func contents(of path: String, limit: Int = 1 << 16) -> ReadResult<[UInt8]> {
    let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
    guard fd >= 0 else {
      if errno == ENOENT { return .missing }
      return .failed(errno == ELOOP ? "is a symbolic link" : errorText("open"))
    }
    defer { close(fd) }
    var info = stat()
    guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
      return .failed("is not a regular file")
    }
    guard Int(info.st_size) <= limit else { return .failed("is larger than \(limit) bytes") }
    // One byte more than the size reported, so a file that grew is noticed.
    var data = [UInt8](repeating: 0, count: Int(info.st_size) + 1)
    var filled = 0
    while filled < data.count {
      let count = data.withUnsafeMutableBytes {
        read(fd, $0.baseAddress.map { $0 + filled }, $0.count - filled)
      }
      if count == 0 { break }
      if count < 0 {
        if errno == EINTR { continue }
        return .failed(errorText("read"))
      }
      filled += count
    }
    guard filled < data.count else { return .failed("changed size while being read") }
    return .value(Array(data[0..<filled]))
  }

  /// Reads a small text file and trims surrounding whitespace.
  public static func text(of path: String, limit: Int = 1 << 16) -> ReadResult<String> {
    switch contents(of: path, limit: limit) {
    case .value(var bytes):
      while let last = bytes.last, last == 0x0A || last == 0x0D || last == 0x20 || last == 0x09 {
        bytes.removeLast()
      }
      let start = bytes.firstIndex { $0 != 0x0A && $0 != 0x0D && $0 != 0x20 && $0 != 0x09 }
      return .value(String(decoding: bytes[(start ?? bytes.endIndex)...], as: UTF8.self))
    case .missing: return .missing
    case .failed(let message): return .failed(message)
    }
  }

  /// Returns the target of the symbolic link at `path`.
  public static func linkTarget(of path: String) -> ReadResult<String> {
    var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
    let count = readlink(path, &buffer, buffer.count - 1)
    guard count >= 0 else {
      return errno == ENOENT ? .missing : .failed(errorText("readlink"))
    }
    return .value(String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self))
  }

  private static func entry(name: String, info: stat) -> Entry {
    let type: EntryType
    switch info.st_mode & S_IFMT {
    case S_IFDIR: type = .directory
    case S_IFREG: type = .file
    case S_IFLNK: type = .symbolicLink
    default: type = .other
    }
    let seconds = Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9
    return Entry(name: name, type: type, modified: Date(timeIntervalSince1970: seconds))
  }

  private static func errorText(_ call: String) -> String {
    "\(call) failed: \(String(cString: strerror(errno)))"
  }
}
