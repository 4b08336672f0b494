import Foundation
import Testing

@testable import LayersweepKit

@Suite struct BBoltDatabaseTests {
  @Test func readsNestedBuckets() throws {
    let path = try BBoltFixture.bundled("containerd-meta.db").path
    let database = try BBoltDatabase.open(path: path)
    let containers = try #require(try database.bucket(at: ["v1", "default", "containers"]))
    let names = try containers.entries().compactMap(\.keyString)
    #expect(names == ["c1", "c2"])
    let c1 = try #require(try containers.bucket(named: "c1"))
    #expect(try c1.value(forKey: "snapshotKey") == Array("c1".utf8))
    #expect(try c1.value(forKey: "snapshotter") == Array("overlayfs".utf8))
  }

  @Test func readsValueOnOverflowPages() throws {
    let path = try BBoltFixture.bundled("containerd-meta.db").path
    let database = try BBoltDatabase.open(path: path)
    let c2 = try #require(try database.bucket(at: ["v1", "default", "containers", "c2"]))
    let spec = try #require(try c2.value(forKey: "spec"))
    #expect(spec.count == 8835)
    #expect(spec.count > database.pageSize)
  }

  @Test func readsInlineBucket() throws {
    let path = try BBoltFixture.bundled("containerd-meta.db").path
    let database = try BBoltDatabase.open(path: path)
    let labels = try #require(
      try database.bucket(at: ["v1", "default", "containers", "c1", "labels"]))
    guard case .inline = labels.root else {
      Issue.record("the labels bucket is not stored inline")
      return
    }
    let value = try labels.value(forKey: "io.containerd.image.config.stop-signal")
    #expect(value == Array("SIGTERM".utf8))
  }

  @Test func distinguishesBucketsFromValues() throws {
    let path = try BBoltFixture.bundled("overlayfs-metadata.db").path
    let snapshots = try #require(
      try BBoltDatabase.open(path: path).bucket(at: ["v1", "snapshots"]))
    let c1 = try #require(try snapshots.bucket(named: "default/3/c1"))
    #expect(try c1.value(forKey: "id") == [2])
    #expect(try c1.value(forKey: "kind") == [2])
    #expect(try snapshots.value(forKey: "default/3/c1") == nil)
    #expect(try c1.bucket(named: "id") == nil)
  }

  @Test func returnsNilForMissingBucket() throws {
    let path = try BBoltFixture.bundled("containerd-meta.db").path
    let database = try BBoltDatabase.open(path: path)
    #expect(try database.bucket(at: ["v1", "missing", "containers"]) == nil)
  }

  @Test func findsEveryKeyBySeek() throws {
    let path = try BBoltFixture.bundled("containerd-meta.db").path
    let blobs = try #require(
      try BBoltDatabase.open(path: path).bucket(at: ["v1", "default", "content", "blob"]))
    let entries = try blobs.entries()
    #expect(entries.count == 6)
    for entry in entries {
      let name = try #require(entry.keyString)
      #expect(try blobs.bucket(named: name) != nil)
    }
  }

  @Test func readsWhileAnotherProcessHoldsLock() throws {
    let fixture = try BBoltFixture()
    defer { fixture.remove() }
    let path = try fixture.copy("overlayfs-metadata.db")
    let holder = open(path, O_RDWR)
    defer { close(holder) }
    #expect(flock(holder, LOCK_EX | LOCK_NB) == 0)
    #expect(try BBoltDatabase.open(path: path).txid == 12)
  }
}

// MARK: - Meta pages

@Suite struct BBoltMetaTests {
  @Test func picksNewestValidMeta() throws {
    let fixture = try BBoltFixture()
    defer { fixture.remove() }
    let path = try fixture.copy("overlayfs-metadata.db")
    try BBoltFixture.rewriteMeta(path: path, pageID: 0, pageSize: 4096, txid: 40)
    try BBoltFixture.rewriteMeta(path: path, pageID: 1, pageSize: 4096, txid: 41)
    #expect(try BBoltDatabase.open(path: path).txid == 41)
  }

  @Test func fallsBackWhenNewestChecksumIsWrong() throws {
    let fixture = try BBoltFixture()
    defer { fixture.remove() }
    let path = try fixture.copy("overlayfs-metadata.db")
    try BBoltFixture.rewriteMeta(path: path, pageID: 0, pageSize: 4096, txid: 40)
    try BBoltFixture.rewriteMeta(path: path, pageID: 1, pageSize: 4096, txid: 41)
    try corrupt(path: path, offset: 4096 + 16 + 50)
    #expect(try BBoltDatabase.open(path: path).txid == 40)
  }

  @Test func rejectsBothMetasInvalid() throws {
    let fixture = try BBoltFixture()
    defer { fixture.remove() }
    let path = try fixture.copy("overlayfs-metadata.db")
    try corrupt(path: path, offset: 16 + 50)
    try corrupt(path: path, offset: 4096 + 16 + 50)
    let error = #expect(throws: BBoltError.self) { try BBoltDatabase.open(path: path) }
    #expect(
      error?.description
        == "\(path): not a valid bbolt file: both meta pages are invalid "
        + "(the meta page checksum does not match)")
  }

  @Test func rejectsMissingFile() throws {
    let error = #expect(throws: BBoltError.self) {
      try BBoltDatabase.open(path: "/nonexistent/meta.db")
    }
    #expect(error?.description == "/nonexistent/meta.db: failed to open: No such file or directory")
  }

  @Test func rejectsTruncatedFile() throws {
    let fixture = try BBoltFixture()
    defer { fixture.remove() }
    let path = try fixture.copy("overlayfs-metadata.db")
    #expect(truncate(path, 5 * 4096) == 0)
    let error = #expect(throws: BBoltError.self) { try BBoltDatabase.open(path: path) }
    #expect(error?.message.hasPrefix("the file is truncated: 20480 bytes") == true)
  }

  @Test func rejectsPageWithWrongHeaderID() throws {
    let fixture = try BBoltFixture()
    defer { fixture.remove() }
    let path = try fixture.copy("overlayfs-metadata.db")
    let rootPage = try BBoltDatabase.open(path: path).file.rootPageID
    try corrupt(path: path, offset: Int(rootPage) * 4096)
    let error = #expect(throws: BBoltError.self) {
      try BBoltDatabase.open(path: path).rootBucket.entries()
    }
    #expect(error?.pageID == rootPage)
    #expect(error?.message.hasPrefix("the page header names page") == true)
  }

  private func corrupt(path: String, offset: Int) throws {
    var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    bytes[offset] ^= 0xFF
    try Data(bytes).write(to: URL(fileURLWithPath: path))
  }
}

// MARK: - Concurrent commits

@Suite struct BBoltRetryTests {
  @Test func retriesWhenMetaChangesDuringCopy() throws {
    let fixture = try BBoltFixture()
    defer { fixture.remove() }
    let path = try fixture.copy("overlayfs-metadata.db")
    var commits = 0
    let database = try BBoltDatabase.open(
      path: path, maxAttempts: 3, maxFileSize: 1 << 20,
      afterCopy: {
        guard commits == 0 else { return }
        commits += 1
        try BBoltFixture.rewriteMeta(path: path, pageID: 1, pageSize: 4096, txid: 13)
      })
    #expect(commits == 1)
    #expect(database.txid == 13)
    #expect(database.readAttempts == 2)
  }

  @Test func failsWhenMetaChangesDuringEveryCopy() throws {
    let fixture = try BBoltFixture()
    defer { fixture.remove() }
    let path = try fixture.copy("overlayfs-metadata.db")
    var txid: UInt64 = 12
    let error = #expect(throws: BBoltError.self) {
      try BBoltDatabase.open(
        path: path, maxAttempts: 3, maxFileSize: 1 << 20,
        afterCopy: {
          txid += 1
          try BBoltFixture.rewriteMeta(
            path: path, pageID: Int(txid % 2), pageSize: 4096, txid: txid)
        })
    }
    #expect(
      error?.message
        == "the database changed during each of 3 reads; "
        + "a writer is committing continuously, so try again or stop it")
    #expect(txid == 15)
  }
}
