import Testing

@testable import LayersweepKit

@Suite struct OverlayOptionsTests {
  let mounts: [MountEntry]

  init() throws {
    mounts = try MountInfoReader.read(path: CollectFixtures.path("mountinfo-overlay"))
  }

  @Test func longAbsoluteLowerDirList() {
    let expected = (0..<40).map { String(format: "/var/lib/docker/overlay2/l/%026d", $0) }
    #expect(mounts[1].lowerDirs == expected)
    #expect(mounts[1].upperDir == "/var/lib/docker/overlay2/abc/diff")
    #expect(mounts[1].workDir == "/var/lib/docker/overlay2/abc/work")
  }

  @Test func relativeLowerDirsAfterFlagPrefix() {
    let expected = (0..<40).map { String(format: "l/%026d", $0) }
    #expect(mounts[2].lowerDirs == expected)
    #expect(mounts[2].upperDir == "def/diff")
    #expect(mounts[2].workDir == "def/work")
  }

  @Test func relativeLowerDirsResolved() {
    let resolved = mounts[2].lowerDirs(relativeTo: "/var/lib/docker/overlay2")
    #expect(resolved.first == "/var/lib/docker/overlay2/l/" + String(repeating: "0", count: 26))
    #expect(resolved.count == 40)
    #expect(mounts[1].lowerDirs(relativeTo: "/elsewhere") == mounts[1].lowerDirs)
  }

  @Test func escapedCommaColonAndSpace() {
    #expect(mounts[3].lowerDirs == ["/odd,dir", "/colon:dir", "/data only"])
    #expect(mounts[3].upperDir == "/up per")
    #expect(mounts[3].workDir == "/work")
  }

  @Test func readOnlyOverlayHasNoUpperDir() {
    #expect(mounts[4].lowerDirs == ["/a", "/b"])
    #expect(mounts[4].upperDir == nil)
    #expect(mounts[4].workDir == nil)
  }

  @Test func nonOverlayHasNoLowerDirs() {
    #expect(mounts[0].lowerDirs.isEmpty)
    #expect(mounts[0].upperDir == nil)
  }

  @Test(arguments: [
    ("rw,lowerdir=/a\\\\b:/c", ["/a\\b", "/c"]),
    ("lowerdir=/x,lowerdir+=/y,datadir+=/z", ["/x", "/y", "/z"]),
    ("index=off,userxattr,lowerdir=l/A:l/B,upperdir=/u,workdir=/w", ["l/A", "l/B"]),
    // Decoded options from Linux 6.18 for `-o lowerdir=l/a:l/b:c\,d`, a relative list.
    ("rw,lowerdir=l/a:l/b:c\\,d,upperdir=u,workdir=w,uuid=on", ["l/a", "l/b", "c,d"]),
  ])
  func lowerDirsFromOptions(options: String, expected: [String]) {
    let entry = MountEntry(
      mountID: 1, parentID: 1, device: "0:1", root: "/", target: "/m", fsType: "overlay",
      source: "overlay", vfsOptions: "rw", fsOptions: options)
    #expect(entry.lowerDirs == expected)
  }
}
