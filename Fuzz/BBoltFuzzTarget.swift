// libFuzzer entry point for the bbolt reader, built by scripts/fuzz/bbolt.sh together with
// Sources/LayersweepKit/Stores/BBolt/*.swift; not part of the package.

/// Reads `data` as a whole bbolt file and walks every bucket. Only `BBoltError` may come
/// out; a crash, a sanitizer report or a hang is a bug.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzBBoltReader(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
  let bytes = Array(UnsafeBufferPointer(start: data, count: size))
  do {
    let database = try BBoltFileReader.snapshot(of: bytes, path: "fuzz-input")
    var walkedRoots = Set<UInt64>()
    try walk(database.rootBucket, walkedRoots: &walkedRoots)
  } catch is BBoltError {
    return 0
  } catch {
    fatalError("unexpected error type: \(error)")
  }
  return 0
}

private func walk(_ bucket: BBoltBucket, walkedRoots: inout Set<UInt64>) throws {
  if let root = bucket.rootPageID, !walkedRoots.insert(root).inserted { return }
  for entry in try bucket.entries() {
    _ = try bucket.value(forKey: String(decoding: entry.key, as: UTF8.self))
    if entry.isBucket {
      try walk(try bucket.nestedBucket(entry), walkedRoots: &walkedRoots)
    }
  }
}
