// MARK: - Walking and searching the page tree

extension BBoltBucket {
  func walk(
    pageID: UInt64, depth: Int, visited: inout Set<UInt64>, _ body: (BBoltEntry) throws -> Void
  ) throws {
    let page = try treePage(pageID, depth: depth, visited: &visited)
    if page.isLeaf {
      try walkLeaf(page, body)
      return
    }
    for index in 0..<page.count {
      let child = try page.branchElement(index).child
      try walk(pageID: child, depth: depth + 1, visited: &visited, body)
    }
  }

  func walkLeaf(_ page: BBoltPage, _ body: (BBoltEntry) throws -> Void) throws {
    for index in 0..<page.count {
      let element = try page.leafElement(index)
      try body(BBoltEntry(key: element.key, value: element.value, isBucket: element.isBucket))
    }
  }

  /// Finds `key` by descending the branch pages, as bbolt's cursor seek does.
  func entry(forKey key: [UInt8]) throws -> BBoltEntry? {
    var visited = Set<UInt64>()
    var page: BBoltPage
    switch root {
    case .inline(let inlinePage): page = inlinePage
    case .page(let id): page = try treePage(id, depth: 0, visited: &visited)
    }
    var depth = 0
    while page.isBranch {
      guard page.count > 0 else { return nil }
      let child = try page.branchElement(try childIndex(in: page, for: key)).child
      depth += 1
      page = try treePage(child, depth: depth, visited: &visited)
    }
    for index in 0..<page.count where try page.leafKey(index).elementsEqual(key) {
      let element = try page.leafElement(index)
      return BBoltEntry(key: element.key, value: element.value, isBucket: element.isBucket)
    }
    return nil
  }

  /// Returns the index of the last branch element whose key is not greater than `key`.
  private func childIndex(in page: BBoltPage, for key: [UInt8]) throws -> Int {
    var low = 0
    var high = page.count
    while low < high {
      let middle = (low + high) / 2
      if try page.branchElement(middle).key.lexicographicallyPrecedes(key) {
        low = middle + 1
      } else {
        high = middle
      }
    }
    if low < page.count, try page.branchElement(low).key == key { return low }
    return max(0, low - 1)
  }

  /// Fetches a branch or leaf page after the cycle and depth checks.
  private func treePage(
    _ id: UInt64, depth: Int, visited: inout Set<UInt64>
  ) throws -> BBoltPage {
    guard depth <= Self.maxDepth else {
      throw BBoltError(
        path: file.path, pageID: id, message: "the page tree is deeper than \(Self.maxDepth)")
    }
    guard visited.insert(id).inserted else {
      throw BBoltError(path: file.path, pageID: id, message: "the page is reached twice")
    }
    let page = try file.page(id)
    guard page.isBranch != page.isLeaf else {
      throw page.error(
        "flags 0x\(String(page.flags, radix: 16)) where a branch or leaf page was expected")
    }
    try page.checkElementArray()
    return page
  }

  /// Decodes a nested bucket's value: root page id and sequence, then an inline leaf page
  /// when the root page id is 0.
  func decodeRoot(_ value: [UInt8]) throws -> Root {
    let header = BBoltPage(bytes: value, range: 0..<value.count, id: contextPageID, path: file.path)
    let rootID = try header.readUInt64(at: 0)
    guard rootID == 0 else { return .page(rootID) }
    guard value.count >= 16 + BBoltPage.headerSize else {
      throw header.error("an inline bucket value of \(value.count) bytes has no page header")
    }
    let inline = BBoltPage(
      bytes: value, range: 16..<value.count, id: contextPageID, path: file.path)
    guard inline.isLeaf, !inline.isBranch else {
      throw inline.error("an inline bucket page is not a leaf page")
    }
    try inline.checkElementArray()
    return .inline(inline)
  }
}
