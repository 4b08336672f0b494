/// A bucket of a `BBoltDatabase` snapshot: an ordered set of keys, each holding a value or a
/// nested bucket.
///
/// Every traversal visits each page at most once and descends at most `maxDepth` pages, so a
/// file with page cycles gives an error rather than a loop.
public struct BBoltBucket: Sendable {
  /// The deepest page tree and the deepest bucket nesting accepted.
  static let maxDepth = 64

  enum Root: Sendable {
    case page(UInt64)
    /// A small bucket stored inside its parent's leaf value (root page id 0).
    case inline(BBoltPage)
  }

  let file: BBoltFile
  let root: Root
  /// How many buckets enclose this one; the top-level buckets have nesting 1.
  let nesting: Int

  /// The page the bucket's tree starts at, or nil for an inline bucket. In a valid file no
  /// two buckets share a root page, so a recursive walk can use it to skip a bucket it has
  /// already walked.
  public var rootPageID: UInt64? {
    if case .page(let id) = root { return id }
    return nil
  }

  /// Returns every entry in key order.
  public func entries() throws -> [BBoltEntry] {
    var result: [BBoltEntry] = []
    try forEach { result.append($0) }
    return result
  }

  /// Calls `body` for every entry in key order.
  public func forEach(_ body: (BBoltEntry) throws -> Void) throws {
    var visited = Set<UInt64>()
    switch root {
    case .page(let id):
      try walk(pageID: id, depth: 0, visited: &visited, body)
    case .inline(let page):
      try walkLeaf(page, body)
    }
  }

  /// Returns the value stored at `key`, or nil when the key is absent or names a bucket.
  public func value(forKey key: String) throws -> [UInt8]? {
    guard let entry = try entry(forKey: Array(key.utf8)), !entry.isBucket else { return nil }
    return entry.value
  }

  /// Returns the nested bucket `name`, or nil when it is absent or is a plain value.
  public func bucket(named name: String) throws -> BBoltBucket? {
    guard let entry = try entry(forKey: Array(name.utf8)), entry.isBucket else { return nil }
    return try nestedBucket(entry)
  }

  /// Returns the bucket reached by following `names` down from this one, or nil when any of
  /// them is missing.
  public func bucket(at names: [String]) throws -> BBoltBucket? {
    var current = self
    for name in names {
      guard let next = try current.bucket(named: name) else { return nil }
      current = next
    }
    return current
  }

  /// Opens the nested bucket an entry of this bucket names.
  public func nestedBucket(_ entry: BBoltEntry) throws -> BBoltBucket {
    let context = contextPageID
    guard entry.isBucket else {
      throw BBoltError(path: file.path, pageID: context, message: "the key is not a bucket")
    }
    guard nesting < Self.maxDepth else {
      throw BBoltError(
        path: file.path, pageID: context,
        message: "buckets are nested more than \(Self.maxDepth) deep")
    }
    return BBoltBucket(file: file, root: try decodeRoot(entry.value), nesting: nesting + 1)
  }

  var contextPageID: UInt64 {
    switch root {
    case .page(let id): return id
    case .inline(let page): return page.id
    }
  }
}
