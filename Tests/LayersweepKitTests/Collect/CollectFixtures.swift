import Foundation

/// Paths of the checked-in fixtures under `Fixtures/collect`, and scratch directories.
enum CollectFixtures {
  static func path(_ name: String) -> String {
    let resources = Bundle.module.resourcePath ?? ""
    return resources + "/Fixtures/collect/" + name
  }

  static func contents(_ name: String) throws -> String {
    try String(contentsOfFile: path(name), encoding: .utf8)
  }

  /// Creates an empty directory under the system temporary directory.
  static func makeTemporaryDirectory() throws -> String {
    let path = FileManager.default.temporaryDirectory
      .appendingPathComponent("layersweep-collect-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
  }

  static func write(_ text: String, to path: String) throws {
    let directory = (path as NSString).deletingLastPathComponent
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    try text.write(toFile: path, atomically: false, encoding: .utf8)
  }
}
