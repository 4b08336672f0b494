import Foundation

@testable import LayersweepKit

/// A bulk writer of bbolt files for tests and benchmarks: it lays out a whole tree of
/// buckets once, the way bbolt 1.3 would after a compaction, and never updates a file.
///
/// Pages: 0 and 1 are the meta pages, 2 an empty freelist, then leaf and branch pages
/// bottom-up. A bucket without nested buckets whose leaf fits in a quarter page is stored
/// inline in its parent's value, as bbolt's `inlineable` rule does.
struct BBoltWriter {
  /// A bucket's content: keys in any order, each with a value or a nested bucket.
  struct Bucket {
    enum Item {
      case value([UInt8])
      case bucket(Bucket)
    }
    var items: [(key: [UInt8], item: Item)] = []

    mutating func put(_ key: String, _ value: [UInt8]) {
      items.append((Array(key.utf8), .value(value)))
    }

    mutating func put(_ key: String, _ bucket: Bucket) {
      items.append((Array(key.utf8), .bucket(bucket)))
    }
  }

  static let pageSize = 4096
  private var pages: [UInt8] = []
  private var nextPageID: UInt64 = 3

  /// Writes `root` (whose items must all be buckets, as bbolt requires) to `path`.
  static func write(_ root: Bucket, to path: String) throws {
    var writer = BBoltWriter()
    let rootPageID = writer.writeTree(root)
    var file = [UInt8](repeating: 0, count: 3 * pageSize)
    for metaPage in 0..<2 {
      writer.writeMeta(into: &file, page: metaPage, rootPageID: rootPageID)
    }
    writeHeader(into: &file, at: 2 * pageSize, id: 2, flags: BBoltPage.freelistFlag, count: 0)
    try Data(file + writer.pages).write(to: URL(fileURLWithPath: path))
  }

  private func writeMeta(into file: inout [UInt8], page: Int, rootPageID: UInt64) {
    let start = page * Self.pageSize
    Self.writeHeader(into: &file, at: start, id: UInt64(page), flags: BBoltPage.metaFlag, count: 0)
    var meta: [UInt8] = []
    Self.append(UInt64(BBoltMeta.magic) | UInt64(BBoltMeta.version) << 32, to: &meta)
    Self.append(UInt64(Self.pageSize), to: &meta)
    for field in [rootPageID, 0, 2, nextPageID, UInt64(page)] {
      Self.append(field, to: &meta)
    }
    Self.append(BBoltMeta.fnv1a64(meta[...]), to: &meta)
    file.replaceSubrange((start + 16)..<(start + 16 + meta.count), with: meta)
  }

  /// Writes a bucket's tree and returns its root page id.
  private mutating func writeTree(_ bucket: Bucket) -> UInt64 {
    let sorted = bucket.items.sorted { $0.key.lexicographicallyPrecedes($1.key) }
    let elements = sorted.map { entry -> (key: [UInt8], value: [UInt8], flags: UInt32) in
      switch entry.item {
      case .value(let value): return (entry.key, value, 0)
      case .bucket(let nested): return (entry.key, encodeBucket(nested), 1)
      }
    }
    var level = writeLeaves(elements)
    while level.count > 1 {
      level = writeBranches(level)
    }
    return level.first?.pageID ?? writeLeafPage([])
  }

  private mutating func encodeBucket(_ bucket: Bucket) -> [UInt8] {
    var header: [UInt8] = []
    let hasNested = bucket.items.contains {
      if case .bucket = $0.item { return true }
      return false
    }
    let sorted = bucket.items.sorted { $0.key.lexicographicallyPrecedes($1.key) }
    let values = sorted.compactMap { entry -> (key: [UInt8], value: [UInt8], flags: UInt32)? in
      if case .value(let value) = entry.item { return (entry.key, value, 0) }
      return nil
    }
    if !hasNested && Self.leafSize(values) <= Self.pageSize / 4 {
      Self.append(0, to: &header)
      Self.append(0, to: &header)
      return header + Self.leafPageBytes(values, id: 0, padTo: nil)
    }
    Self.append(writeTree(bucket), to: &header)
    Self.append(0, to: &header)
    return header
  }

  private static func leafSize(_ elements: [(key: [UInt8], value: [UInt8], flags: UInt32)]) -> Int {
    elements.reduce(16) { $0 + 16 + $1.key.count + $1.value.count }
  }

  /// Splits elements into leaf pages and returns each page's first key and id.
  private mutating func writeLeaves(
    _ elements: [(key: [UInt8], value: [UInt8], flags: UInt32)]
  ) -> [(key: [UInt8], pageID: UInt64)] {
    var result: [(key: [UInt8], pageID: UInt64)] = []
    var current: [(key: [UInt8], value: [UInt8], flags: UInt32)] = []
    for element in elements {
      if !current.isEmpty && Self.leafSize(current + [element]) > Self.pageSize {
        result.append((current[0].key, writeLeafPage(current)))
        current = []
      }
      current.append(element)
    }
    if !current.isEmpty { result.append((current[0].key, writeLeafPage(current))) }
    return result
  }

  private mutating func writeLeafPage(
    _ elements: [(key: [UInt8], value: [UInt8], flags: UInt32)]
  ) -> UInt64 {
    let id = nextPageID
    let bytes = Self.leafPageBytes(elements, id: id, padTo: Self.pageSize)
    pages += bytes
    nextPageID += UInt64(bytes.count / Self.pageSize)
    return id
  }

  private mutating func writeBranches(
    _ children: [(key: [UInt8], pageID: UInt64)]
  ) -> [(key: [UInt8], pageID: UInt64)] {
    var result: [(key: [UInt8], pageID: UInt64)] = []
    var current: [(key: [UInt8], pageID: UInt64)] = []
    func flush() {
      let id = nextPageID
      pages += Self.branchPageBytes(current, id: id)
      nextPageID += 1
      result.append((current[0].key, id))
      current = []
    }
    for child in children {
      let size = current.reduce(16) { $0 + 16 + $1.key.count } + 16 + child.key.count
      if !current.isEmpty && size > Self.pageSize { flush() }
      current.append(child)
    }
    if !current.isEmpty { flush() }
    return result
  }
}

// MARK: - Page encoding

extension BBoltWriter {
  /// Encodes a leaf page; `padTo` rounds it up to whole pages and sets the overflow count.
  static func leafPageBytes(
    _ elements: [(key: [UInt8], value: [UInt8], flags: UInt32)], id: UInt64, padTo: Int?
  ) -> [UInt8] {
    var bytes = [UInt8](repeating: 0, count: 16 + 16 * elements.count)
    var data: [UInt8] = []
    for (index, element) in elements.enumerated() {
      let base = 16 + 16 * index
      let position = bytes.count + data.count - base
      put32(element.flags, into: &bytes, at: base)
      put32(UInt32(position), into: &bytes, at: base + 4)
      put32(UInt32(element.key.count), into: &bytes, at: base + 8)
      put32(UInt32(element.value.count), into: &bytes, at: base + 12)
      data += element.key + element.value
    }
    bytes += data
    return finishPage(
      &bytes, id: id, flags: BBoltPage.leafFlag, count: elements.count, padTo: padTo)
  }

  static func branchPageBytes(_ children: [(key: [UInt8], pageID: UInt64)], id: UInt64) -> [UInt8] {
    var bytes = [UInt8](repeating: 0, count: 16 + 16 * children.count)
    var data: [UInt8] = []
    for (index, child) in children.enumerated() {
      let base = 16 + 16 * index
      put32(UInt32(bytes.count + data.count - base), into: &bytes, at: base)
      put32(UInt32(child.key.count), into: &bytes, at: base + 4)
      var pageID: [UInt8] = []
      append(child.pageID, to: &pageID)
      bytes.replaceSubrange((base + 8)..<(base + 16), with: pageID)
      data += child.key
    }
    bytes += data
    return finishPage(
      &bytes, id: id, flags: BBoltPage.branchFlag, count: children.count, padTo: pageSize)
  }

  private static func finishPage(
    _ bytes: inout [UInt8], id: UInt64, flags: UInt16, count: Int, padTo: Int?
  ) -> [UInt8] {
    var overflow = 0
    if let padTo {
      let pageCount = max(1, (bytes.count + padTo - 1) / padTo)
      overflow = pageCount - 1
      bytes += [UInt8](repeating: 0, count: pageCount * padTo - bytes.count)
    }
    writeHeader(into: &bytes, at: 0, id: id, flags: flags, count: count)
    put32(UInt32(overflow), into: &bytes, at: 12)
    return bytes
  }

  static func writeHeader(
    into bytes: inout [UInt8], at offset: Int, id: UInt64, flags: UInt16, count: Int
  ) {
    var header: [UInt8] = []
    append(id, to: &header)
    header += [UInt8(flags & 0xFF), UInt8(flags >> 8), UInt8(count & 0xFF), UInt8(count >> 8)]
    bytes.replaceSubrange(offset..<(offset + 12), with: header)
  }

  static func append(_ value: UInt64, to bytes: inout [UInt8]) {
    for index in 0..<8 {
      bytes.append(UInt8(truncatingIfNeeded: value >> (8 * UInt64(index))))
    }
  }

  static func put32(_ value: UInt32, into bytes: inout [UInt8], at offset: Int) {
    for index in 0..<4 {
      bytes[offset + index] = UInt8(truncatingIfNeeded: value >> (8 * UInt32(index)))
    }
  }
}
