import Glibc

/// A failure to read or parse a mountinfo table through libmount.
public enum MountTableError: Error, Equatable, CustomStringConvertible {
  /// A libmount call failed with `errno`.
  case callFailed(path: String, call: String, errno: Int32)
  /// Lines libmount could not parse, numbered from 1. They are missing from the table.
  case malformedLines(path: String, lines: [Int])
  /// The first line is not a mountinfo line, so libmount read the file as fstab.
  case notMountinfo(path: String)

  /// The file being read.
  public var path: String {
    switch self {
    case .callFailed(let path, _, _), .malformedLines(let path, _), .notMountinfo(let path):
      return path
    }
  }

  /// The error number of a failed call, or nil for a parse error.
  public var errno: Int32? {
    if case .callFailed(_, _, let errno) = self {
      return errno
    }
    return nil
  }

  public var description: String {
    switch self {
    case .callFailed(let path, let call, let errno):
      let reason = String(cString: strerror(errno))
      return "\(path): \(call) failed: \(reason) (errno \(errno)); check that the file exists "
        + "and is readable"
    case .malformedLines(let path, let lines):
      let numbers = lines.map(String.init).joined(separator: ", ")
      let count = lines.count == 1 ? "" : " (\(lines.count) malformed lines: \(numbers))"
      return "\(path):\(lines.first ?? 0): malformed mountinfo line\(count); check that the "
        + "file is an unmodified mountinfo table"
    case .notMountinfo(let path):
      return "\(path): not a mountinfo table: the first line does not start with a mount ID "
        + "and a parent ID; pass a /proc/<pid>/mountinfo file or a copy of one"
    }
  }
}
