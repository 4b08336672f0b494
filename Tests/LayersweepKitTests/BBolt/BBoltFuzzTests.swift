import Foundation
import Testing

@testable import LayersweepKit

/// A small deterministic generator (SplitMix64) so every run mutates the same bytes.
struct SeededGenerator: RandomNumberGenerator {
  var state: UInt64

  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var mixed = state
    mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
    mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
    return mixed ^ (mixed >> 31)
  }
}

/// Mutates real database files and checks that reading them ends in a `BBoltError` or in
/// success, never in a crash or another kind of error.
@Suite struct BBoltFuzzTests {
  static let databases = ["overlayfs-metadata.db", "containerd-meta.db"]
  static let pageSize = 4096

  @Test(arguments: databases) func truncationAtEveryPageBoundary(name: String) throws {
    let original = try Data(contentsOf: try BBoltFixture.bundled(name))
    let fixture = try BBoltFixture()
    defer { fixture.remove() }
    for pages in 0..<(original.count / Self.pageSize) {
      for extra in [0, 17] {
        let length = pages * Self.pageSize + extra
        try readMutated(Array(original.prefix(length)), fixture: fixture)
      }
    }
  }

  @Test(arguments: databases) func randomByteFlips(name: String) throws {
    let original = [UInt8](try Data(contentsOf: try BBoltFixture.bundled(name)))
    let fixture = try BBoltFixture()
    defer { fixture.remove() }
    var generator = SeededGenerator(state: 0x6C61_7965_7273_7765)
    for _ in 0..<300 {
      var bytes = original
      for _ in 0..<Int.random(in: 1...8, using: &generator) {
        let offset = Int.random(in: 2 * Self.pageSize..<bytes.count, using: &generator)
        bytes[offset] = UInt8.random(in: 0...255, using: &generator)
      }
      try readMutated(bytes, fixture: fixture)
    }
  }

  @Test(arguments: databases) func randomGarbagePages(name: String) throws {
    let original = [UInt8](try Data(contentsOf: try BBoltFixture.bundled(name)))
    let fixture = try BBoltFixture()
    defer { fixture.remove() }
    var generator = SeededGenerator(state: 0x6275_636B_6574_7321)
    let pageCount = original.count / Self.pageSize
    for _ in 0..<100 {
      var bytes = original
      let page = Int.random(in: 0..<pageCount, using: &generator)
      let keepsHeader = Bool.random(using: &generator)
      let start = page * Self.pageSize + (keepsHeader ? 16 : 0)
      for offset in start..<((page + 1) * Self.pageSize) {
        bytes[offset] = UInt8.random(in: 0...255, using: &generator)
      }
      try readMutated(bytes, fixture: fixture)
    }
  }

  /// Writes `bytes`, opens them and walks every bucket; only `BBoltError` may be thrown.
  private func readMutated(_ bytes: [UInt8], fixture: BBoltFixture) throws {
    let path = fixture.directory.appendingPathComponent("mutated.db").path
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    do {
      let database = try BBoltDatabase.open(path: path, maxAttempts: 1)
      var walkedRoots = Set<UInt64>()
      try walk(database.rootBucket, walkedRoots: &walkedRoots)
    } catch is BBoltError {
      return
    }
  }

  private func walk(_ bucket: BBoltBucket, walkedRoots: inout Set<UInt64>) throws {
    if let root = bucket.rootPageID, !walkedRoots.insert(root).inserted { return }
    for entry in try bucket.entries() where entry.isBucket {
      try walk(try bucket.nestedBucket(entry), walkedRoots: &walkedRoots)
    }
  }
}
