import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// An overlay2 layer directory that no metadata names, made by hand the way an interrupted
/// pull leaves one: `diff/` with content, a `link` file and its `l/<short-id>` symlink.
struct HandMadeLayer {
  var id: String
  var shortID: String
  var path: String
  var linkPath: String
}

extension DockerDaemon {
  /// Creates an orphaned layer with a few files, a nested directory and a symlink, and sets
  /// its modification time two hours back so the default `--min-age` of 1h allows cleaning it.
  func makeOrphanedLayer() throws -> HandMadeLayer {
    let id = Self.randomHex(count: 64)
    let shortID = Self.randomShortID()
    let path = "\(overlayRoot)/\(id)"
    let fileManager = FileManager.default
    try fileManager.createDirectory(
      atPath: "\(path)/diff/etc/nested", withIntermediateDirectories: true)
    try "orphan \(id)\n".write(
      toFile: "\(path)/diff/etc/payload", atomically: false, encoding: .utf8)
    try Data(repeating: 0xA5, count: 70_000).write(
      to: URL(fileURLWithPath: "\(path)/diff/etc/nested/blob"))
    try fileManager.createSymbolicLink(
      atPath: "\(path)/diff/etc/link", withDestinationPath: "payload")
    try shortID.write(toFile: "\(path)/link", atomically: false, encoding: .utf8)
    let linkPath = "\(overlayRoot)/l/\(shortID)"
    try fileManager.createSymbolicLink(atPath: linkPath, withDestinationPath: "../\(id)/diff")
    try Self.age(path)
    return HandMadeLayer(id: id, shortID: shortID, path: path, linkPath: linkPath)
  }

  /// Sets the access and modification time of `path` two hours back, without following a
  /// symlink.
  static func age(_ path: String) throws {
    let past = timespec(tv_sec: time(nil) - 7_200, tv_nsec: 0)
    var times = [past, past]
    guard utimensat(AT_FDCWD, path, &times, AT_SYMLINK_NOFOLLOW) == 0 else {
      throw CommandError(command: ["utimensat", path], message: String(cString: strerror(errno)))
    }
  }

  static func randomHex(count: Int) -> String {
    String((0..<count).map { _ in "0123456789abcdef".randomElement() ?? "0" })
  }

  static func randomShortID() -> String {
    String((0..<26).map { _ in "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".randomElement() ?? "A" })
  }
}
