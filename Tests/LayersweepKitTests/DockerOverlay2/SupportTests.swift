import Foundation
import Synchronization
import Testing

@testable import LayersweepKit

@Suite struct SHA256Tests {
  @Test(arguments: [
    ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
    ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
    (
      "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
    ),
  ])
  func matchesKnownDigests(input: String, digest: String) {
    #expect(SHA256.hexDigest(input) == digest)
  }

  @Test func computesDockerChainIDs() {
    // Diff IDs and chain IDs recorded by dockerd 20.10 for a three-layer built image.
    let diffIDs = [
      "646e373c3c1a6df2f18529242cefebd01728b95331bdfaacef5ccab8187294cb",
      "ed2eff88c59ef43cf46936a798e7fac47e1c167196e5b1708b3c405d6b08e6f7",
      "6d8a4e324b4b8120d06cea6c96e52a06e9437a90b1f0182436225e31fff5e39a",
    ]
    #expect(
      DockerImageDatabase.chainIDs(diffIDs: diffIDs) == [
        "646e373c3c1a6df2f18529242cefebd01728b95331bdfaacef5ccab8187294cb",
        "f2e04c88e849b08df66b2ba6f4ae7aff4a0bfba91a0f8ca433db85c47b6bb27d",
        "95a3df9839f3f9cf83fef4a4cce9702beb885dc273e0883bef27e140a2425255",
      ])
  }
}

@Suite struct StoreIdentifierTests {
  static let hex = String(repeating: "ab", count: 32)

  @Test(arguments: [
    (hex, StoreIdentifier.Shape.hex64, true),
    (hex + "-init", .dockerLayer, true),
    (hex + "-init", .hex64, false),
    ("../../etc", .dockerLayer, false),
    ("/etc", .pathComponent, false),
    ("..", .pathComponent, false),
    ("a\u{0}b", .pathComponent, false),
    (String(repeating: "a", count: 256), .pathComponent, false),
    ("ABCDEFGHIJKLMNOPQRSTUVWXYZ", .shortLink, true),
    ("ABCDEFGHIJKLMNOPQRSTUVWXY", .shortLink, false),
    (hex.uppercased(), .hex64, false),
  ])
  func validates(raw: String, shape: StoreIdentifier.Shape, isValid: Bool) {
    let result = try? StoreIdentifier.validated(raw, shape: shape, file: "/f", store: "s")
    #expect((result != nil) == isValid)
  }

  @Test func errorNamesFile() {
    #expect(
      throws: AuditError(
        store: "s", path: "/root/cache-id",
        message: "invalid identifier '../x' (expected 64 lowercase hex digits, optionally "
          + "followed by -init); the file is corrupt or crafted, so nothing it names is used. "
          + "Inspect it by hand.")
    ) {
      try StoreIdentifier.validated("../x", shape: .dockerLayer, file: "/root/cache-id", store: "s")
    }
  }
}

@Suite struct DiskUsageTests {
  @Test func countsHardLinksOnceAndSkipsSymlinks() throws {
    let fixture = try DockerRootFixture()
    let tree = fixture.base + "/tree"
    for directory in ["a/b", "c"] { try fixture.makeDirectory(tree + "/" + directory) }
    try Data(repeating: 7, count: 10_000).write(to: URL(fileURLWithPath: tree + "/a/b/data"))
    try FileManager.default.linkItem(atPath: tree + "/a/b/data", toPath: tree + "/c/same")
    try FileManager.default.createSymbolicLink(atPath: tree + "/c/etc", withDestinationPath: "/etc")
    let usage = try DiskUsage.measure(tree, threads: 2)
    #expect(usage.inodeCount == 6)
    #expect(usage.unreadableEntries == 0)
    #expect(usage.apparentBytes == expectedApparentBytes(tree, files: ["a/b/data", "c/etc"]))
    #expect(usage.allocatedBytes >= 10_000)
  }

  @Test func missingPathThrows() {
    #expect(throws: DiskUsageError.self) { try DiskUsage.measure("/nonexistent/layersweep") }
  }

  /// A FUSE mount whose server never replies stands in for a hung NFS or FUSE mount inside a
  /// layer. Measuring must skip it without waiting on the server. Needs root and /dev/fuse.
  @Test func skipsHungFuseMountWithoutBlocking() throws {
    let fixture = try DockerRootFixture()
    let tree = fixture.base + "/tree"
    try fixture.makeDirectory(tree + "/hung")
    try Data(repeating: 7, count: 10_000).write(to: URL(fileURLWithPath: tree + "/data"))
    let device = open("/dev/fuse", O_RDWR | O_CLOEXEC)
    try #require(device >= 0, "/dev/fuse could not be opened")
    let options = "fd=\(device),rootmode=40000,user_id=0,group_id=0"
    try #require(mount("lsw-hung", tree + "/hung", "fuse.lswhung", 0, options) == 0)
    let measured = DispatchSemaphore(value: 0)
    let usage = Mutex<DiskUsage?>(nil)
    Thread.detachNewThread {
      usage.withLock { $0 = try? DiskUsage.measure(tree, threads: 1) }
      measured.signal()
    }
    let returned = measured.wait(timeout: .now() + 20) == .success
    // Detaching the mount and closing the device aborts the connection, which releases a
    // measurement stuck on it.
    umount2(tree + "/hung", 2)  // MNT_DETACH, which Glibc does not export to Swift
    close(device)
    if !returned { measured.wait() }
    #expect(returned, "measuring waited on the hung FUSE mount")
    #expect(usage.withLock { $0?.inodeCount } == 2)
  }

  /// Sums `st_size` of the four directories and the given entries, each once.
  private func expectedApparentBytes(_ tree: String, files: [String]) -> Int64 {
    var total: Int64 = 0
    for relative in ["", "/a", "/a/b", "/c"] + files.map({ "/" + $0 }) {
      var info = stat()
      lstat(tree + relative, &info)
      total += Int64(info.st_size)
    }
    return total
  }
}

@Suite struct DockerTimestampTests {
  @Test(arguments: [
    ("2026-12-04T15:42:28.022680025Z", 1_796_398_948.022_680_025),
    ("2026-12-04T15:42:28Z", 1_796_398_948),
    ("2026-12-04T17:42:28.5+02:00", 1_796_398_948.5),
  ])
  func parsesGoTimestamps(text: String, seconds: Double) throws {
    let date = try #require(DockerContainerConfig.parseTimestamp(text))
    #expect(abs(date.timeIntervalSince1970 - seconds) < 0.000_001)
  }

  @Test(arguments: ["", "yesterday", "2026-12-04 15:42:28Z", "2026-12-04T15:42:28+0200"])
  func rejectsOtherText(text: String) {
    #expect(DockerContainerConfig.parseTimestamp(text) == nil)
  }
}

@Suite struct DirectoryEntryReaderTests {
  @Test func listsNamesWithoutDotEntries() throws {
    let fixture = try DockerRootFixture()
    let directory = fixture.base + "/listing"
    try fixture.makeDirectory(directory + "/child")
    for name in ["a", "b c"] {
      try Data("x".utf8).write(to: URL(fileURLWithPath: directory + "/" + name))
    }
    let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    try #require(fd >= 0)
    defer { close(fd) }

    var names: [String] = []
    let listed = DirectoryEntryReader().forEachName(in: fd, depth: 1) {
      names.append(String(cString: $0))
    }
    #expect(listed == DirectoryEntryReader.isAvailable)
    #expect(names.sorted() == (listed ? ["a", "b c", "child"] : []))
  }
}
