/// One of the two meta pages of a bbolt file (pages 0 and 1).
///
/// Layout after the 16-byte page header (go.etcd.io/bbolt `meta` in `db.go`): magic (u32),
/// version (u32), page size (u32), flags (u32), root bucket (root page u64, sequence u64),
/// freelist page (u64), high-water page id (u64), transaction id (u64) and a 64-bit FNV-1a
/// checksum of the 56 bytes before it.
struct BBoltMeta: Equatable {
  static let magic: UInt32 = 0xED0C_DAED
  static let version: UInt32 = 2
  static let checksummedSize = 56

  var pageSize: Int
  var rootPageID: UInt64
  /// The first page id past the end of the data; pages at or above it are unused.
  var highWaterPageID: UInt64
  var txid: UInt64

  /// Parses and validates the meta page at `offset` in `bytes`; throws when the magic,
  /// version or checksum is wrong.
  init(bytes: [UInt8], offset: Int, pageID: UInt64, path: String) throws {
    let end = min(bytes.count, offset + BBoltPage.headerSize + 64)
    let page = BBoltPage(bytes: bytes, range: offset..<max(offset, end), id: pageID, path: path)
    let base = BBoltPage.headerSize
    guard try page.readUInt32(at: base) == Self.magic else {
      throw page.error("the meta page has no bbolt magic number")
    }
    guard try page.readUInt32(at: base + 4) == Self.version else {
      throw page.error("the meta page has format version \(try page.readUInt32(at: base + 4))")
    }
    let checksummed = try page.slice(at: base, length: Self.checksummedSize)
    guard Self.fnv1a64(checksummed) == (try page.readUInt64(at: base + 56)) else {
      throw page.error("the meta page checksum does not match")
    }
    pageSize = Int(try page.readUInt32(at: base + 8))
    rootPageID = try page.readUInt64(at: base + 16)
    highWaterPageID = try page.readUInt64(at: base + 40)
    txid = try page.readUInt64(at: base + 48)
  }

  static func fnv1a64(_ data: ArraySlice<UInt8>) -> UInt64 {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in data {
      hash ^= UInt64(byte)
      hash = hash &* 0x0000_0100_0000_01b3
    }
    return hash
  }
}
