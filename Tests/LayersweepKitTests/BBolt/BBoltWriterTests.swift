import Foundation
import Testing

@testable import LayersweepKit

/// Checks the test writer against the reader, so benchmarks and tests can rely on its files.
@Suite struct BBoltWriterTests {
  @Test func writerRoundTripsNestedBuckets() throws {
    let fixture = try BBoltFixture()
    defer { fixture.remove() }
    var labels = BBoltWriter.Bucket()
    labels.put("containerd.io/gc.root", Array("2026-01-01T00:00:00Z".utf8))
    var record = BBoltWriter.Bucket()
    record.put("name", Array("default/1/a".utf8))
    record.put("labels", labels)
    record.put("spec", [UInt8](repeating: 0x5A, count: 10_000))
    var namespace = BBoltWriter.Bucket()
    namespace.put("a", record)
    var root = BBoltWriter.Bucket()
    root.put("v1", namespace)
    let path = fixture.directory.appendingPathComponent("written.db").path
    try BBoltWriter.write(root, to: path)

    let database = try BBoltDatabase.open(path: path)
    let bucket = try #require(try database.bucket(at: ["v1", "a"]))
    #expect(try bucket.value(forKey: "name") == Array("default/1/a".utf8))
    #expect(try bucket.value(forKey: "spec")?.count == 10_000)
    let labelBucket = try #require(try bucket.bucket(named: "labels"))
    #expect(labelBucket.rootPageID == nil)
    #expect(try labelBucket.value(forKey: "containerd.io/gc.root")?.count == 20)
  }

  @Test func writerRoundTripsManyKeys() throws {
    let fixture = try BBoltFixture()
    defer { fixture.remove() }
    var records = BBoltWriter.Bucket()
    for index in 0..<20_000 {
      records.put(String(format: "key-%06d", index), Array(String(index).utf8))
    }
    var root = BBoltWriter.Bucket()
    root.put("records", records)
    let path = fixture.directory.appendingPathComponent("many.db").path
    try BBoltWriter.write(root, to: path)

    let bucket = try #require(try BBoltDatabase.open(path: path).bucket(at: ["records"]))
    let entries = try bucket.entries()
    #expect(entries.count == 20_000)
    #expect(entries.first?.keyString == "key-000000")
    #expect(entries.last?.keyString == "key-019999")
    #expect(try bucket.value(forKey: "key-012345") == Array("12345".utf8))
    #expect(try bucket.value(forKey: "key-999999") == nil)
  }
}
