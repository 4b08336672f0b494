import Foundation
import Testing

@testable import LayersweepKit

@Suite struct BuildKitSnapshotsTests {
  @Test func keysIncludeBucketsAndCommittedNames() throws {
    let path = try BBoltFixture.bundled("buildkit-snapshots.db").path
    let keys = try BuildKitSnapshots.keys(databasePath: path)
    #expect(
      keys == [
        "k1bq0n2s5v1h3x9d7e4m6a8c2", "w3e5r7t9y1u3i5o7p9a1s3d5f", "z9x8c7v6b5n4m3l2k1j0h9g8f",
        "sha256:" + String(repeating: "4f", count: 32),
      ])
  }

  @Test func keysAbsentDatabaseIsNil() throws {
    #expect(try BuildKitSnapshots.keys(databasePath: "/nonexistent/buildkit/snapshots.db") == nil)
  }

  @Test func keysMalformedDatabaseThrows() throws {
    let fixture = try BBoltFixture()
    defer { fixture.remove() }
    let path = fixture.directory.appendingPathComponent("snapshots.db").path
    try Data("not a database".utf8).write(to: URL(fileURLWithPath: path))
    let error = #expect(throws: BBoltError.self) {
      try BuildKitSnapshots.keys(databasePath: path)
    }
    #expect(error?.path == path)
  }

  @Test func keysUnreadableDatabaseThrows() throws {
    let fixture = try BBoltFixture()
    defer { fixture.remove() }
    let path = fixture.directory.appendingPathComponent("snapshots.db").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
    let error = #expect(throws: BBoltError.self) {
      try BuildKitSnapshots.keys(databasePath: path)
    }
    #expect(error?.path == path)
  }
}
