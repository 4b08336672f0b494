import Foundation
import Testing

@testable import LayersweepKit

@Suite struct StorageIdentifierTests {
  @Test(arguments: [
    String(repeating: "a", count: 64),
    "3R6BY5EUNGZIEU5Z2WAXBTDT3A",
    String(repeating: "b", count: 64) + "-init",
    String(repeating: "c", count: 64) + "-" + String(repeating: "d", count: 64) + "-removing",
  ])
  func acceptsStoreIDs(id: String) {
    #expect(StoreIdentifier.isValid(id))
  }

  @Test(arguments: [
    "", ".", "..", "../etc", "a/b", "/abs", ".hidden", "a\u{0}b", "a b", "é",
    String(repeating: "f", count: 256),
  ])
  func rejectsUnsafeIDs(id: String) {
    #expect(!StoreIdentifier.isValid(id))
  }
}

@Suite struct GoTimestampTests {
  @Test func parsesNanoseconds() throws {
    let date = try #require(GoTimestamp.parse("2026-12-04T15:42:23.494580652Z"))
    #expect(abs(date.timeIntervalSince1970 - 1_796_398_943.494_580_652) < 0.000_001)
  }

  @Test func parsesOffset() throws {
    let date = try #require(GoTimestamp.parse("2026-12-04T16:42:23.5+01:00"))
    #expect(date.timeIntervalSince1970 == 1_796_398_943.5)
  }

  @Test func zeroTimeIsZero() throws {
    let date = try #require(GoTimestamp.parse("0001-01-01T00:00:00Z"))
    #expect(GoTimestamp.isZero(date))
  }

  @Test(arguments: ["", "yesterday", "2026-12-04", "2026-12-04T15:42:23.Z"])
  func rejectsMalformed(text: String) {
    #expect(GoTimestamp.parse(text) == nil)
  }
}
