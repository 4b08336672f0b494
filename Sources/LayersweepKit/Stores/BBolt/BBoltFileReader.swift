import Foundation

/// Copies a bbolt file with `pread` and checks the copy against the meta pages.
struct BBoltFileReader {
  /// Page sizes tried for the second meta page when the first one is unreadable.
  static let candidatePageSizes = [4096, 8192, 16384, 32768, 65536, 1024, 2048]

  let descriptor: Int32
  let path: String
  let maxFileSize: Int

  /// Returns a snapshot, or nil when the newest meta page changed while the file was copied.
  func readConsistentSnapshot(afterCopy: () throws -> Void) throws -> BBoltDatabase? {
    let bytes = try readWholeFile()
    let database = try Self.snapshot(of: bytes, path: path)
    try afterCopy()

    let reread = try readPrefix(length: min(bytes.count, 2 * database.pageSize))
    guard let current = try? Self.newestMeta(in: reread, path: path),
      current.txid == database.txid, current.rootPageID == database.file.rootPageID
    else {
      return nil
    }
    return database
  }

  /// Returns the snapshot that `bytes`, a copy of a whole file, contains at its newest valid
  /// meta page.
  static func snapshot(of bytes: [UInt8], path: String) throws -> BBoltDatabase {
    let meta = try newestMeta(in: bytes, path: path)
    try validate(meta, fileSize: bytes.count, path: path)
    let file = BBoltFile(
      path: path, bytes: bytes, pageSize: meta.pageSize, rootPageID: meta.rootPageID,
      highWaterPageID: meta.highWaterPageID)
    return BBoltDatabase(path: path, txid: meta.txid, pageSize: meta.pageSize, file: file)
  }

  /// Returns the valid meta page with the highest transaction id.
  static func newestMeta(in bytes: [UInt8], path: String) throws -> BBoltMeta {
    var problems: [String] = []
    var metas: [BBoltMeta] = []
    do {
      metas.append(try BBoltMeta(bytes: bytes, offset: 0, pageID: 0, path: path))
    } catch let error as BBoltError {
      problems.append(error.message)
    }
    let secondOffsets = metas.first.map { [$0.pageSize] } ?? candidatePageSizes
    for offset in secondOffsets where offset > 0 && offset < bytes.count {
      guard let meta = try? BBoltMeta(bytes: bytes, offset: offset, pageID: 1, path: path),
        meta.pageSize == offset
      else { continue }
      metas.append(meta)
      break
    }
    guard let newest = metas.max(by: { $0.txid < $1.txid }) else {
      let detail = problems.first ?? "no valid meta page"
      throw BBoltError(
        path: path, message: "not a valid bbolt file: both meta pages are invalid (\(detail))")
    }
    return newest
  }

  private static func validate(_ meta: BBoltMeta, fileSize: Int, path: String) throws {
    let sizeIsPowerOfTwo = meta.pageSize & (meta.pageSize - 1) == 0
    guard meta.pageSize >= 512, meta.pageSize <= 1 << 20, sizeIsPowerOfTwo else {
      throw BBoltError(path: path, message: "the meta page has page size \(meta.pageSize)")
    }
    let (usedBytes, overflow) = Int(clamping: meta.highWaterPageID)
      .multipliedReportingOverflow(by: meta.pageSize)
    guard !overflow, usedBytes <= fileSize else {
      throw BBoltError(
        path: path,
        message: "the file is truncated: \(fileSize) bytes but the meta page uses "
          + "\(meta.highWaterPageID) pages of \(meta.pageSize) bytes")
    }
    guard meta.rootPageID >= 2, meta.rootPageID < meta.highWaterPageID else {
      throw BBoltError(
        path: path, message: "the root bucket page \(meta.rootPageID) is outside the file")
    }
  }

  private func readWholeFile() throws -> [UInt8] {
    var status = stat()
    guard fstat(descriptor, &status) == 0 else {
      throw BBoltError(path: path, message: "failed to stat: \(String(cString: strerror(errno)))")
    }
    guard Int(status.st_size) <= maxFileSize else {
      throw BBoltError(
        path: path,
        message: "the file has \(status.st_size) bytes, more than the limit of \(maxFileSize)")
    }
    return try readPrefix(length: Int(status.st_size))
  }

  /// Reads up to `length` bytes from offset 0, stopping early at end of file.
  private func readPrefix(length: Int) throws -> [UInt8] {
    var buffer = [UInt8](repeating: 0, count: length)
    var filled = 0
    while filled < length {
      let count = buffer.withUnsafeMutableBytes { raw -> Int in
        guard let base = raw.baseAddress else { return 0 }
        return pread(descriptor, base + filled, length - filled, off_t(filled))
      }
      if count < 0 && errno == EINTR { continue }
      guard count >= 0 else {
        throw BBoltError(path: path, message: "failed to read: \(String(cString: strerror(errno)))")
      }
      if count == 0 { break }
      filled += count
    }
    return Array(buffer[0..<filled])
  }
}
