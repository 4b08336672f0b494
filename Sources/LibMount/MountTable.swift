import CMount
import Glibc

/// A mountinfo table parsed by libmount, such as `/proc/self/mountinfo` or a copy of it.
///
/// The table owns its `libmnt_table` handle and releases it with `mnt_unref_table` when the
/// last reference goes away. Iterating copies each entry into a ``MountTableEntry``, so no
/// libmount pointer outlives the call that returned it.
public final class MountTable: Sequence {
  /// The file the table was parsed from.
  public let path: String
  private let handle: OpaquePointer
  private let malformedLines: MalformedLineLog

  /// Parses the mountinfo file at `path` with `mnt_table_parse_file`.
  ///
  /// - Throws: ``MountTableError/callFailed(path:call:errno:)`` when libmount cannot allocate
  ///   the table or read the file, ``MountTableError/malformedLines(path:lines:)`` when any
  ///   line is not a valid mountinfo line, and ``MountTableError/notMountinfo(path:)`` when
  ///   libmount read the file as fstab because its first line lacks a mount ID and parent ID.
  public init(mountinfoPath path: String) throws {
    guard let handle = mnt_new_table() else {
      throw MountTableError.callFailed(path: path, call: "mnt_new_table", errno: ENOMEM)
    }
    self.path = path
    self.handle = handle
    self.malformedLines = MalformedLineLog()
    try parse()
  }

  deinit {
    mnt_unref_table(handle)
  }

  /// The number of entries libmount accepted.
  public var count: Int {
    Int(mnt_table_get_nents(handle))
  }

  public func makeIterator() -> Iterator {
    Iterator(table: self)
  }

  private func parse() throws {
    mnt_table_set_userdata(handle, Unmanaged.passUnretained(malformedLines).toOpaque())
    mnt_table_set_parser_errcb(handle, recordMalformedLine)
    let status = mnt_table_parse_file(handle, path)
    mnt_table_set_userdata(handle, nil)

    guard status == 0 else {
      throw MountTableError.callFailed(path: path, call: "mnt_table_parse_file", errno: -status)
    }
    guard malformedLines.lines.isEmpty else {
      throw MountTableError.malformedLines(path: path, lines: malformedLines.lines)
    }
  }

  /// Walks the table in file order with `mnt_table_next_fs`.
  public struct Iterator: IteratorProtocol {
    private let table: MountTable
    private let cursor: Cursor

    fileprivate init(table: MountTable) {
      self.table = table
      self.cursor = Cursor()
    }

    /// Returns the next entry, or nil at the end of the table.
    ///
    /// An entry without a mount root means libmount guessed the fstab format, which only
    /// happens when the first line is not a mountinfo line; iteration then stops, and
    /// ``MountTable/entries()`` reports it as an error.
    public mutating func next() -> MountTableEntry? {
      var fs: OpaquePointer?
      guard let iterator = cursor.handle, mnt_table_next_fs(table.handle, iterator, &fs) == 0,
        let fs
      else {
        return nil
      }
      return MountTableEntry(copying: fs)
    }
  }

  /// Copies every entry in file order.
  ///
  /// - Throws: ``MountTableError/notMountinfo(path:)`` when libmount parsed the file as fstab.
  public func entries() throws -> [MountTableEntry] {
    var result: [MountTableEntry] = []
    result.reserveCapacity(count)
    for entry in self {
      result.append(entry)
    }
    guard result.count == count else {
      throw MountTableError.notMountinfo(path: path)
    }
    return result
  }
}

/// The line numbers libmount reported through the parser error callback.
private final class MalformedLineLog {
  var lines: [Int] = []
}

/// Records one malformed line and tells libmount to skip it and go on (a positive return).
private func recordMalformedLine(
  table: OpaquePointer?, filename: UnsafePointer<CChar>?, line: Int32
) -> Int32 {
  guard let table, let userData = mnt_table_get_userdata(table) else {
    return 1
  }
  let log = Unmanaged<MalformedLineLog>.fromOpaque(userData).takeUnretainedValue()
  log.lines.append(Int(line))
  return 1
}

/// Owns one `libmnt_iter`, freed with `mnt_free_iter`.
private final class Cursor {
  let handle: OpaquePointer?

  init() {
    handle = mnt_new_iter(Int32(MNT_ITER_FORWARD))
  }

  deinit {
    if let handle {
      mnt_free_iter(handle)
    }
  }
}
