/// A bounds-checked view of one bbolt page: a range of a byte buffer that is either the whole
/// file or the value of an inline bucket.
///
/// Layout (go.etcd.io/bbolt `page.go`, format version 2): a 16-byte header of page id (u64),
/// flags (u16), element count (u16) and overflow page count (u32), all little-endian, then
/// the element array. Every read checks that it stays inside `range`.
struct BBoltPage {
  static let headerSize = 16
  static let elementSize = 16

  static let branchFlag: UInt16 = 0x01
  static let leafFlag: UInt16 = 0x02
  static let metaFlag: UInt16 = 0x04
  static let freelistFlag: UInt16 = 0x10

  /// The buffer the page lives in.
  let bytes: [UInt8]
  /// The page's bytes within `bytes`, including overflow pages.
  let range: Range<Int>
  /// The page id used in error messages (the parent's id for an inline page).
  let id: UInt64
  let path: String

  var flags: UInt16 { (try? readUInt16(at: 8)) ?? 0 }
  var count: Int { Int((try? readUInt16(at: 10)) ?? 0) }
  var isBranch: Bool { flags & Self.branchFlag != 0 }
  var isLeaf: Bool { flags & Self.leafFlag != 0 }

  func error(_ message: String) -> BBoltError {
    BBoltError(path: path, pageID: id, message: message)
  }

  /// Returns `length` bytes at `offset` from the page start, or throws if they leave the page.
  func slice(at offset: Int, length: Int) throws -> ArraySlice<UInt8> {
    let (start, startOverflow) = range.lowerBound.addingReportingOverflow(offset)
    let (end, endOverflow) = start.addingReportingOverflow(length)
    guard offset >= 0, length >= 0, !startOverflow, !endOverflow, end <= range.upperBound
    else {
      throw error(
        "\(length) bytes at offset \(offset) run past the end of the page (\(range.count) bytes)")
    }
    return bytes[start..<end]
  }

  func readUInt16(at offset: Int) throws -> UInt16 {
    UInt16(truncatingIfNeeded: try readLittleEndian(at: offset, length: 2))
  }

  func readUInt32(at offset: Int) throws -> UInt32 {
    UInt32(truncatingIfNeeded: try readLittleEndian(at: offset, length: 4))
  }

  func readUInt64(at offset: Int) throws -> UInt64 {
    try readLittleEndian(at: offset, length: 8)
  }

  private func readLittleEndian(at offset: Int, length: Int) throws -> UInt64 {
    let start = try slice(at: offset, length: length).startIndex
    var value: UInt64 = 0
    for index in stride(from: length - 1, through: 0, by: -1) {
      value = value << 8 | UInt64(bytes[start + index])
    }
    return value
  }

  /// Checks that the element array fits in the page before any element is read.
  func checkElementArray() throws {
    let needed = Self.headerSize + count * Self.elementSize
    guard needed <= range.count else {
      throw error(
        "\(count) elements need \(needed) bytes but the page has \(range.count)")
    }
  }
}

// MARK: - Elements

extension BBoltPage {
  /// Returns the key and value of a leaf element, and whether the value is a nested bucket.
  func leafElement(_ index: Int) throws -> (key: [UInt8], value: [UInt8], isBucket: Bool) {
    let base = Self.headerSize + index * Self.elementSize
    let flags = try readUInt32(at: base)
    let position = Int(try readUInt32(at: base + 4))
    let keySize = Int(try readUInt32(at: base + 8))
    let valueSize = Int(try readUInt32(at: base + 12))
    let key = try slice(at: base + position, length: keySize)
    let value = try slice(at: base + position + keySize, length: valueSize)
    return (Array(key), Array(value), flags & 0x01 != 0)
  }

  /// Returns the key of a leaf element without copying it.
  func leafKey(_ index: Int) throws -> ArraySlice<UInt8> {
    let base = Self.headerSize + index * Self.elementSize
    let position = Int(try readUInt32(at: base + 4))
    let keySize = Int(try readUInt32(at: base + 8))
    return try slice(at: base + position, length: keySize)
  }

  /// Returns the key and child page id of a branch element.
  func branchElement(_ index: Int) throws -> (key: [UInt8], child: UInt64) {
    let base = Self.headerSize + index * Self.elementSize
    let position = Int(try readUInt32(at: base))
    let keySize = Int(try readUInt32(at: base + 4))
    let child = try readUInt64(at: base + 8)
    let key = try slice(at: base + position, length: keySize)
    return (Array(key), child)
  }
}
