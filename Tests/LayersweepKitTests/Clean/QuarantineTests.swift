import Foundation
import Testing

@testable import LayersweepKit

@Suite struct QuarantineTests {
  /// Returns a manifest for `overlay2/<id>` with its short link as companion.
  static func manifest(_ fixture: CleanFixture, id: String, shortID: String, age: TimeInterval = 0)
    -> QuarantineManifest
  {
    QuarantineManifest(
      id: Quarantine.makeID(), originalPath: fixture.dockerRoot + "/overlay2/" + id,
      companions: [fixture.dockerRoot + "/overlay2/l/" + shortID], kind: "orphaned-layer",
      store: "docker-overlay2", findingID: id, bytes: 10,
      quarantinedAt: Date().addingTimeInterval(-age))
  }

  /// Lists the hash, mode, owner, size, mtime and xattrs of every entry below `path`.
  static func fingerprint(_ path: String) throws -> String {
    let listing = try CleanFixture.shell(
      """
      cd '\(path)' && find . -mindepth 1 -printf '%P %M %u %g %s %T@ %l\\n' | sort && \
      find . -type f -print0 | sort -z | xargs -0 -r sha256sum
      """)
    return listing + (try extendedAttributes(below: path))
  }

  /// Lists the extended attributes of every entry below `path`, without following symlinks.
  /// Python reads them because Glibc's xattr calls are not imported into Swift.
  static func extendedAttributes(below path: String) throws -> String {
    try CleanFixture.shell(
      """
      python3 -c 'import os, sys
      for top, dirs, files in os.walk(sys.argv[1]):
          for name in sorted(dirs + files):
              p = os.path.join(top, name)
              pairs = sorted((a, os.getxattr(p, a, follow_symlinks=False).hex())
                             for a in os.listxattr(p, follow_symlinks=False))
              print(os.path.relpath(p, sys.argv[1]), pairs)' '\(path)' | sort
      """)
  }

  @Test func restoreIsByteForByte() throws {
    let fixture = try CleanFixture()
    let layer = try fixture.makeLayer(
      "layer1", shortID: "AAAAAAAAAAAAAAAAAAAAAAAAAA",
      files: ["etc/config": "a=1\n", "bin/tool": String(repeating: "z", count: 70_000)])
    chmod(layer + "/diff/bin/tool", 0o4755)
    try CleanFixture.shell(
      "python3 -c 'import os, sys; os.setxattr(sys.argv[1], \"user.layersweep\", b\"marker\")' "
        + "'\(layer)/diff/etc/config'")
    try FileManager.default.createSymbolicLink(
      atPath: layer + "/diff/etc/link", withDestinationPath: "/etc/passwd")
    let link = fixture.dockerRoot + "/overlay2/l/AAAAAAAAAAAAAAAAAAAAAAAAAA"
    let before = try Self.fingerprint(layer)
    let quarantine = Quarantine(remover: FileSystemRemover(), journal: try Journal(path: nil))
    let manifest = Self.manifest(fixture, id: "layer1", shortID: "AAAAAAAAAAAAAAAAAAAAAAAAAA")

    try quarantine.quarantine(manifest, root: fixture.dockerRoot)
    #expect(fixture.listing(fixture.dockerRoot + "/overlay2") == ["l"])
    let restored = try quarantine.restore(id: manifest.id, roots: [fixture.dockerRoot])

    #expect(restored == manifest)
    // The parents' mtimes change with any rename, so the layer and its link are compared.
    #expect(try Self.fingerprint(layer) == before)
    #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == "../layer1/diff")
    #expect(fixture.listing(Quarantine.trashDirectory(root: fixture.dockerRoot)) == [])
  }

  @Test func restoreRejectsExistingOriginal() throws {
    let fixture = try CleanFixture()
    try fixture.makeLayer("layer1", shortID: "BBBBBBBBBBBBBBBBBBBBBBBBBB")
    let quarantine = Quarantine(remover: FileSystemRemover(), journal: try Journal(path: nil))
    let manifest = Self.manifest(fixture, id: "layer1", shortID: "BBBBBBBBBBBBBBBBBBBBBBBBBB")
    try quarantine.quarantine(manifest, root: fixture.dockerRoot)
    try fixture.write("new", to: manifest.originalPath + "/diff/new")

    let error = #expect(throws: SystemCallError.self) {
      try quarantine.restore(id: manifest.id, roots: [fixture.dockerRoot])
    }
    #expect(error?.errno == EEXIST)
    #expect(
      error?.path == Quarantine.trashDirectory(root: fixture.dockerRoot) + "/\(manifest.id)/item")
    #expect(fixture.listing(manifest.originalPath) == ["diff", "diff/new"])
    #expect(Quarantine.list(roots: [fixture.dockerRoot]).map(\.manifest) == [manifest])
  }

  @Test func purgeRemovesOnlyExpiredItems() throws {
    let fixture = try CleanFixture()
    try fixture.makeLayer("old", shortID: "CCCCCCCCCCCCCCCCCCCCCCCCCC")
    try fixture.makeLayer("new", shortID: "DDDDDDDDDDDDDDDDDDDDDDDDDD")
    let journal = try Journal(path: fixture.journalPath)
    let quarantine = Quarantine(remover: FileSystemRemover(), journal: journal)
    let old = Self.manifest(
      fixture, id: "old", shortID: "CCCCCCCCCCCCCCCCCCCCCCCCCC", age: 8 * 86_400)
    let new = Self.manifest(fixture, id: "new", shortID: "DDDDDDDDDDDDDDDDDDDDDDDDDD", age: 86_400)
    try quarantine.quarantine(old, root: fixture.dockerRoot)
    try quarantine.quarantine(new, root: fixture.dockerRoot)

    let results = quarantine.purge(roots: [fixture.dockerRoot], retention: 7 * 86_400)

    #expect(results.map(\.id) == [old.id])
    #expect(results.map(\.error) == [nil])
    #expect(
      fixture.listing(Quarantine.trashDirectory(root: fixture.dockerRoot)).filter {
        !$0.contains("/")
      } == [new.id])
    let lines = try Journal.read(fixture.journalPath)
    #expect(lines.map(\.action) == ["purge", "purge"])
    #expect(lines.map(\.outcome) == ["intent", "done"])
    #expect(lines.map(\.quarantineID) == [old.id, old.id])
  }

  @Test(arguments: ["../x", "a/b", "", String(repeating: "a", count: 65), "a\0b"])
  func craftedIDIsRejected(id: String) throws {
    let fixture = try CleanFixture()
    let quarantine = Quarantine(remover: FileSystemRemover(), journal: try Journal(path: nil))
    #expect(throws: CleanError.self) {
      try quarantine.restore(id: id, roots: [fixture.dockerRoot])
    }
  }

  @Test func tamperedManifestIsRejected() throws {
    let fixture = try CleanFixture()
    try fixture.makeLayer("layer1", shortID: "EEEEEEEEEEEEEEEEEEEEEEEEEE")
    let quarantine = Quarantine(remover: FileSystemRemover(), journal: try Journal(path: nil))
    let manifest = Self.manifest(fixture, id: "layer1", shortID: "EEEEEEEEEEEEEEEEEEEEEEEEEE")
    try quarantine.quarantine(manifest, root: fixture.dockerRoot)
    var tampered = manifest
    tampered.originalPath = fixture.directory + "/outside"
    let entry = Quarantine.trashDirectory(root: fixture.dockerRoot) + "/" + manifest.id
    try Data(try tampered.encoded()).write(to: URL(fileURLWithPath: entry + "/manifest.json"))

    #expect(throws: CleanError.self) {
      try quarantine.restore(id: manifest.id, roots: [fixture.dockerRoot])
    }
    #expect(!FileManager.default.fileExists(atPath: fixture.directory + "/outside"))
  }
}
