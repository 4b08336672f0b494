import Foundation
import Testing

@testable import LayersweepKit
@testable import LibMount

@Suite struct MountInfoReaderTests {
  @Test func decodesOctalEscapes() throws {
    let mounts = try MountInfoReader.read(path: CollectFixtures.path("mountinfo-escapes"))
    #expect(mounts.count == 4)
    #expect(mounts[1].target == "/mnt/with space")
    #expect(mounts[1].source == "tmp\tfs")
    #expect(mounts[2].root == "/sub\\dir")
    #expect(mounts[2].target == "/mnt/back\\slash")
  }

  @Test func readsEveryField() throws {
    let mounts = try MountInfoReader.read(path: CollectFixtures.path("mountinfo-escapes"))
    let expected = MountEntry(
      mountID: 40, parentID: 22, device: "0:35", root: "/", target: "/mnt/with space",
      fsType: "tmpfs", source: "tmp\tfs", vfsOptions: "rw,nosuid,nodev",
      fsOptions: "rw,size=10k", optionalFields: "master:2")
    #expect(mounts[1] == expected)
  }

  @Test func keepsOptionalFields() throws {
    let mounts = try MountInfoReader.read(path: CollectFixtures.path("mountinfo-escapes"))
    #expect(mounts[0].optionalFields == "shared:1")
    #expect(mounts[2].optionalFields == "shared:3 master:4 propagate_from:5")
    #expect(mounts[3].optionalFields == "")
  }

  @Test func splitsLargeDeviceNumbers() throws {
    let mounts = try MountInfoReader.read(path: CollectFixtures.path("mountinfo-escapes"))
    #expect(mounts[3].device == "259:65537")
  }

  @Test func malformedLineNamesFileAndLine() throws {
    let path = CollectFixtures.path("mountinfo-malformed")
    #expect(throws: MountTableError.malformedLines(path: path, lines: [2])) {
      try MountInfoReader.read(path: path)
    }
  }

  @Test func malformedLineMessage() throws {
    let path = CollectFixtures.path("mountinfo-malformed")
    let single = MountTableError.malformedLines(path: path, lines: [2])
    let several = MountTableError.malformedLines(path: path, lines: [2, 5])
    #expect(
      single.description
        == "\(path):2: malformed mountinfo line; check that the file is an unmodified "
        + "mountinfo table")
    #expect(
      several.description
        == "\(path):2: malformed mountinfo line (2 malformed lines: 2, 5); check that the "
        + "file is an unmodified mountinfo table")
  }

  @Test func fstabFileIsRejected() throws {
    let path = CollectFixtures.path("mountinfo-fstab")
    #expect(throws: MountTableError.notMountinfo(path: path)) {
      try MountInfoReader.read(path: path)
    }
  }

  @Test func missingFileNamesCallAndErrno() throws {
    let path = CollectFixtures.path("no-such-mountinfo")
    #expect(
      throws: MountTableError.callFailed(path: path, call: "mnt_table_parse_file", errno: 2)
    ) {
      try MountInfoReader.read(path: path)
    }
  }

  @Test func emptyFileGivesNoMounts() throws {
    let directory = try CollectFixtures.makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    try CollectFixtures.write("", to: directory + "/mountinfo")
    #expect(try MountInfoReader.read(path: directory + "/mountinfo").isEmpty)
  }

  @Test func readsOwnMountTable() throws {
    let mounts = try MountInfoReader.read(path: "/proc/self/mountinfo")
    #expect(mounts.contains { $0.target == "/" })
    let proc = mounts.first { $0.target == "/proc" }
    #expect(proc?.fsType == "proc")
  }
}
