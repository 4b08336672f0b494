import Foundation

/// A read-only snapshot of a bbolt database file (go.etcd.io/bbolt, format version 2).
///
/// `open` reads the whole file into memory with `pread` and takes no lock, so it works while
/// containerd holds its exclusive `flock` on the file. bbolt writes new pages first and the
/// meta page last, and reuses a page only after a later transaction freed it. A copy is
/// therefore consistent when the newest valid meta page has the same transaction id before
/// and after the copy, and `open` retries the copy when it does not.
public struct BBoltDatabase: Sendable {
  /// The database file.
  public let path: String
  /// The transaction id of the meta page the snapshot was read at.
  public let txid: UInt64
  /// The page size recorded in the meta page, in bytes.
  public let pageSize: Int
  /// How many copies `open` took; more than 1 means a writer committed during the read.
  public internal(set) var readAttempts = 1
  let file: BBoltFile

  /// The bucket that contains the top-level buckets.
  public var rootBucket: BBoltBucket {
    BBoltBucket(file: file, root: .page(file.rootPageID), nesting: 0)
  }

  /// Returns the bucket at `names` below the top level, such as `["v1", "snapshots"]`, or
  /// nil when any bucket on the way does not exist.
  public func bucket(at names: [String]) throws -> BBoltBucket? {
    try rootBucket.bucket(at: names)
  }

  /// Reads `path` into memory without locking it.
  ///
  /// - Parameters:
  ///   - maxAttempts: how many copies to take while a writer keeps committing.
  ///   - maxFileSize: files larger than this many bytes are rejected instead of read.
  /// - Throws: `BBoltError` when the file is missing, unreadable, malformed, or changed
  ///   during every attempt.
  public static func open(
    path: String, maxAttempts: Int = 5, maxFileSize: Int = 1 << 30
  ) throws -> BBoltDatabase {
    try open(path: path, maxAttempts: maxAttempts, maxFileSize: maxFileSize, afterCopy: {})
  }

  /// Opens `path`, calling `afterCopy` between copying the file and rereading its meta pages
  /// so tests can commit a transaction at that moment.
  static func open(
    path: String, maxAttempts: Int, maxFileSize: Int, afterCopy: () throws -> Void
  ) throws -> BBoltDatabase {
    let descriptor = Foundation.open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else {
      throw BBoltError(path: path, message: "failed to open: \(String(cString: strerror(errno)))")
    }
    defer { close(descriptor) }
    let reader = BBoltFileReader(descriptor: descriptor, path: path, maxFileSize: maxFileSize)
    for attempt in 1...max(1, maxAttempts) {
      if var database = try reader.readConsistentSnapshot(afterCopy: afterCopy) {
        database.readAttempts = attempt
        return database
      }
    }
    throw BBoltError(
      path: path,
      message: "the database changed during each of \(max(1, maxAttempts)) reads; "
        + "a writer is committing continuously, so try again or stop it")
  }
}

/// The immutable bytes of one snapshot plus the facts from its meta page.
struct BBoltFile: Sendable {
  let path: String
  let bytes: [UInt8]
  let pageSize: Int
  let rootPageID: UInt64
  let highWaterPageID: UInt64

  /// Returns the page `id`, including its overflow pages, after checking that it lies in the
  /// used part of the file and that its header names the same id.
  func page(_ id: UInt64) throws -> BBoltPage {
    guard id >= 2, id < highWaterPageID else {
      throw BBoltError(
        path: path, pageID: id,
        message: "the page id is outside the used pages 2..<\(highWaterPageID)")
    }
    let limit = Int(highWaterPageID) * pageSize
    let start = Int(id) * pageSize
    let header = BBoltPage(bytes: bytes, range: start..<(start + pageSize), id: id, path: path)
    let overflow = Int(try header.readUInt32(at: 12))
    let (length, lengthOverflow) = (overflow + 1).multipliedReportingOverflow(by: pageSize)
    guard !lengthOverflow, length <= limit - start else {
      throw header.error("\(overflow) overflow pages run past the end of the used pages")
    }
    guard try header.readUInt64(at: 0) == id else {
      throw header.error("the page header names page \(try header.readUInt64(at: 0))")
    }
    return BBoltPage(bytes: bytes, range: start..<(start + length), id: id, path: path)
  }
}
