import Foundation

@testable import LayersweepKit

/// Copies of the checked-in bbolt files that a test may change.
///
/// `containerd-meta.db` and `overlayfs-metadata.db` were written by containerd 1.6.20 after
/// importing an image, `ctr run`, `ctr containers create` with an 8 KiB environment (so the
/// spec value spans overflow pages) and `ctr snapshots prepare`.
struct BBoltFixture {
  let directory: URL

  init() throws {
    directory = FileManager.default.temporaryDirectory
      .appendingPathComponent("layersweep-bbolt-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
  }

  static func bundled(_ name: String) throws -> URL {
    guard let url = Bundle.module.url(forResource: "Fixtures/bbolt/\(name)", withExtension: nil)
    else {
      throw BBoltError(path: name, message: "fixture missing from the test bundle")
    }
    return url
  }

  /// Copies a bundled database into the temporary directory and returns the copy's path.
  func copy(_ name: String) throws -> String {
    let target = directory.appendingPathComponent(name)
    try? FileManager.default.removeItem(at: target)
    try FileManager.default.copyItem(at: try Self.bundled(name), to: target)
    return target.path
  }

  func remove() {
    try? FileManager.default.removeItem(at: directory)
  }

  /// Rewrites the meta page `pageID` of the file at `path` with a new transaction id and a
  /// matching checksum, as a committing writer would.
  static func rewriteMeta(path: String, pageID: Int, pageSize: Int, txid: UInt64) throws {
    var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    let base = pageID * pageSize + 16
    put(txid, into: &bytes, at: base + 48)
    let checksum = BBoltMeta.fnv1a64(bytes[base..<(base + 56)])
    put(checksum, into: &bytes, at: base + 56)
    try Data(bytes).write(to: URL(fileURLWithPath: path))
  }

  static func put(_ value: UInt64, into bytes: inout [UInt8], at offset: Int) {
    for index in 0..<8 {
      bytes[offset + index] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(index)))
    }
  }
}
