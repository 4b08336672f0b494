import Foundation
import Testing

@testable import LayersweepKit

@Suite struct FileSystemRemoverTests {
  static let resolvers = [PathResolver(usesOpenat2: true), PathResolver(usesOpenat2: false)]

  @Test(arguments: resolvers)
  func symlinkTargetOutsideStaysIntact(resolver: PathResolver) throws {
    let fixture = try CleanFixture()
    let outside = fixture.directory + "/outside"
    try fixture.write("keep", to: outside + "/file")
    let layer = fixture.dockerRoot + "/overlay2/layer"
    try fixture.write("x", to: layer + "/diff/data")
    try FileManager.default.createSymbolicLink(
      atPath: layer + "/diff/escape", withDestinationPath: outside)
    try FileManager.default.createSymbolicLink(
      atPath: layer + "/diff/escape-file", withDestinationPath: outside + "/file")

    try FileSystemRemover(resolver: resolver).removeTree(at: layer, beneath: fixture.dockerRoot)

    #expect(!FileManager.default.fileExists(atPath: layer))
    #expect(fixture.listing(outside) == ["file"])
    #expect(FileManager.default.contents(atPath: outside + "/file") == Data("keep".utf8))
  }

  @Test(arguments: resolvers)
  func symlinkedParentIsRejected(resolver: PathResolver) throws {
    let fixture = try CleanFixture()
    let outside = fixture.directory + "/outside"
    try fixture.write("keep", to: outside + "/victim/file")
    try FileManager.default.createDirectory(
      atPath: fixture.dockerRoot + "/overlay2", withIntermediateDirectories: true)
    try FileManager.default.createSymbolicLink(
      atPath: fixture.dockerRoot + "/overlay2/link", withDestinationPath: outside)

    let error = #expect(throws: SystemCallError.self) {
      try FileSystemRemover(resolver: resolver).removeTree(
        at: fixture.dockerRoot + "/overlay2/link/victim", beneath: fixture.dockerRoot)
    }
    #expect(error?.errno == ELOOP || error?.errno == ENOTDIR, "\(String(describing: error))")
    #expect(error?.path == fixture.dockerRoot + "/overlay2/link")
    #expect(fixture.listing(outside) == ["victim", "victim/file"])
  }

  @Test(arguments: ["bind", "tmpfs"], resolvers)
  func mountInsideTreeStaysIntact(mountType: String, resolver: PathResolver) throws {
    let fixture = try CleanFixture()
    let outside = fixture.directory + "/outside"
    try fixture.write("keep", to: outside + "/file")
    let layer = fixture.dockerRoot + "/overlay2/layer"
    let mountPoint = layer + "/diff/sub/mnt"
    try fixture.write("x", to: layer + "/diff/sub/other")
    try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
    if mountType == "bind" {
      try CleanFixture.shell("mount --bind \(outside) \(mountPoint)")
    } else {
      try CleanFixture.shell(
        "mount -t tmpfs tmpfs \(mountPoint) && printf keep > \(mountPoint)/file")
    }

    let error = #expect(throws: CleanError.self) {
      try FileSystemRemover(resolver: resolver).removeTree(at: layer, beneath: fixture.dockerRoot)
    }
    guard case .removalIncomplete(let path, let failures) = error else {
      Issue.record("expected removalIncomplete, got \(String(describing: error))")
      return
    }
    #expect(path == layer)
    #expect(failures.map(\.path) == [mountPoint])
    #expect(failures.map(\.errno) == [EXDEV])
    #expect(failures.first?.description.contains("left intact") == true)
    #expect(fixture.listing(layer) == ["diff", "diff/sub", "diff/sub/mnt", "diff/sub/mnt/file"])
    #expect(FileManager.default.contents(atPath: mountPoint + "/file") == Data("keep".utf8))
  }

  @Test func immutableFileFailsNamingIt() throws {
    let fixture = try CleanFixture()
    try fixture.mountExt4IfNeeded(at: fixture.dockerRoot)
    let layer = fixture.dockerRoot + "/overlay2/layer"
    try fixture.write("x", to: layer + "/diff/removable")
    try fixture.write("x", to: layer + "/diff/locked/immutable")
    try CleanFixture.shell("chattr +i \(layer)/diff/locked/immutable")
    defer { _ = try? CleanFixture.shell("chattr -i \(layer)/diff/locked/immutable") }

    let error = #expect(throws: CleanError.self) {
      try FileSystemRemover().removeTree(at: layer, beneath: fixture.dockerRoot)
    }
    guard case .removalIncomplete(_, let failures) = error else {
      Issue.record("expected removalIncomplete, got \(String(describing: error))")
      return
    }
    #expect(failures.map(\.path) == [layer + "/diff/locked/immutable"])
    #expect(failures.map(\.call) == ["unlinkat"])
    #expect(failures.map(\.errno) == [EPERM])
    #expect(fixture.listing(layer) == ["diff", "diff/locked", "diff/locked/immutable"])
  }

  @Test func unreadableDirectoryIsRemovedByRoot() throws {
    try #require(getuid() == 0, "the test runs as root, which reads any directory")
    let fixture = try CleanFixture()
    let layer = fixture.dockerRoot + "/overlay2/layer"
    try fixture.write("x", to: layer + "/diff/closed/file")
    chmod(layer + "/diff/closed", 0)

    try FileSystemRemover().removeTree(at: layer, beneath: fixture.dockerRoot)

    #expect(!FileManager.default.fileExists(atPath: layer))
  }

  @Test(arguments: [
    "/../../etc", "/overlay2/../../etc", "/overlay2/./x", "/overlay2//x",
    "/overlay2/" + String(repeating: "a", count: 4096),
  ])
  func craftedPathIsRejected(suffix: String) throws {
    let fixture = try CleanFixture()
    try FileManager.default.createDirectory(
      atPath: fixture.dockerRoot + "/overlay2", withIntermediateDirectories: true)
    #expect(throws: CleanError.self) {
      try FileSystemRemover().removeTree(
        at: fixture.dockerRoot + suffix, beneath: fixture.dockerRoot)
    }
    #expect(fixture.listing(fixture.dockerRoot) == ["overlay2"])
  }

  @Test func pathOutsideRootIsRejected() throws {
    let fixture = try CleanFixture()
    try fixture.write("keep", to: fixture.directory + "/outside/file")
    try FileManager.default.createDirectory(
      atPath: fixture.dockerRoot, withIntermediateDirectories: true)
    #expect(throws: CleanError.self) {
      try FileSystemRemover().removeTree(
        at: fixture.directory + "/outside", beneath: fixture.dockerRoot)
    }
    #expect(throws: CleanError.self) {
      try FileSystemRemover().removeTree(at: "/etc\0/x", beneath: fixture.dockerRoot)
    }
    #expect(fixture.listing(fixture.directory + "/outside") == ["file"])
  }

  @Test func renameNeverReplaces() throws {
    let fixture = try CleanFixture()
    try fixture.write("a", to: fixture.dockerRoot + "/a")
    try fixture.write("b", to: fixture.dockerRoot + "/b")
    let error = #expect(throws: SystemCallError.self) {
      try FileSystemRemover().rename(
        fixture.dockerRoot + "/a", to: fixture.dockerRoot + "/b", beneath: fixture.dockerRoot)
    }
    #expect(error?.errno == EEXIST)
    #expect(error?.call == "renameat2")
    #expect(FileManager.default.contents(atPath: fixture.dockerRoot + "/b") == Data("b".utf8))
  }
}
