import Foundation

/// Paths and references of a Docker overlay2 data root, read afresh from disk for
/// re-verification. Ids read from disk are validated before they become paths.
struct DockerLayerReferenceScan {
  let root: String

  var layerDirectory: String { root + "/overlay2" }
  var layerDatabase: String { root + "/image/overlay2/layerdb" }
  var buildKitSnapshots: String { root + "/buildkit/snapshots.db" }

  /// Returns whether `id` can name an overlay2 directory: 1 to 255 bytes of letters, digits, `-`,
  /// `_` and `.`, not starting with `.`.
  static func isValidLayerID(_ id: String) -> Bool {
    guard (1...255).contains(id.utf8.count), !id.hasPrefix(".") else { return false }
    return id.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }
  }

  /// Returns whether `id` is a 26-character short link id of upper-case letters and digits.
  static func isValidShortID(_ id: String) -> Bool {
    id.count == 26 && id.allSatisfy { $0.isASCII && ($0.isUppercase || $0.isNumber) }
  }

  /// Reads the layer's short link id from `<layer>/link`, when valid.
  func shortID(ofLayer id: String) -> String? {
    let path = layerDirectory + "/" + id + "/link"
    guard let data = FileManager.default.contents(atPath: path) else { return nil }
    let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    return Self.isValidShortID(text) ? text : nil
  }

  /// Returns the `l/<short-id>` symlink of a layer, when it exists and points at `../<id>/diff`.
  func shortLink(ofLayer id: String) -> String? {
    guard let shortID = shortID(ofLayer: id) else { return nil }
    let link = layerDirectory + "/l/" + shortID
    guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: link),
      target == "../\(id)/diff"
    else { return nil }
    return link
  }

  /// Returns whether `path` is a `layerdb/sha256/*-removing`, `layerdb/tmp/write-set-*` or
  /// `overlay2/*-removing` entry.
  func isStaleRemovalPath(_ path: String) -> Bool {
    let name = (path as NSString).lastPathComponent
    let parent = (path as NSString).deletingLastPathComponent
    if parent == layerDatabase + "/tmp" { return name.hasPrefix("write-set-") }
    if parent == layerDatabase + "/sha256" || parent == layerDirectory {
      return name.hasSuffix("-removing")
    }
    return false
  }

  /// Describes the first reference to layer `id` in layerdb, container mounts, BuildKit or
  /// another layer's `lower` file; nil when nothing references it. Throws when a metadata
  /// directory exists but cannot be read, since an unread reference must count as one.
  func referenceToLayer(_ id: String) throws -> String? {
    let sha256 = layerDatabase + "/sha256"
    if let chain = try directoryWithFile(in: sha256, named: "cache-id", containing: id) {
      return "layer chain \(chain) names \(id) as its cache-id"
    }
    for file in ["mount-id", "init-id"] {
      if let container = try directoryWithFile(
        in: layerDatabase + "/mounts", named: file, containing: id)
      {
        return "container \(container) names \(id) in its \(file)"
      }
    }
    if try fileContains(buildKitSnapshots, id) {
      return "\(buildKitSnapshots) mentions \(id)"
    }
    if let shortID = shortID(ofLayer: id), let user = try layerReferencingShortID(shortID) {
      return "layer \(user) lists l/\(shortID) in its lower file"
    }
    return nil
  }

  /// Returns the first subdirectory of `directory` whose file `name` contains exactly `value`.
  private func directoryWithFile(in directory: String, named name: String, containing value: String)
    throws -> String?
  {
    for entry in try entries(of: directory) {
      let path = directory + "/" + entry + "/" + name
      guard let data = FileManager.default.contents(atPath: path) else { continue }
      let text = String(decoding: data, as: UTF8.self)
      if text.trimmingCharacters(in: .whitespacesAndNewlines) == value { return entry }
    }
    return nil
  }

  private func layerReferencingShortID(_ shortID: String) throws -> String? {
    for entry in try entries(of: layerDirectory) where entry != "l" {
      let path = layerDirectory + "/" + entry + "/lower"
      guard let data = FileManager.default.contents(atPath: path) else { continue }
      let lowers = String(decoding: data, as: UTF8.self).split(separator: ":")
      if lowers.contains(where: {
        $0.trimmingCharacters(in: .whitespacesAndNewlines) == "l/\(shortID)"
      }) {
        return entry
      }
    }
    return nil
  }

  /// Returns whether the raw bytes of `path` contain `value`. BuildKit's bbolt file stores snapshot
  /// keys as raw bytes, so a byte search over-approximates its references without parsing.
  // TODO: read snapshots.db with the bbolt reader instead of a byte search.
  private func fileContains(_ path: String, _ value: String) throws -> Bool {
    guard FileManager.default.fileExists(atPath: path) else { return false }
    guard let data = FileManager.default.contents(atPath: path) else {
      throw CleanError.unreadableFile(path: path, reason: "it exists but cannot be read")
    }
    return data.range(of: Data(value.utf8)) != nil
  }

  /// Lists the names in `directory`: none when it does not exist, and throws when it is
  /// unreadable.
  private func entries(of directory: String) throws -> [String] {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) else {
      return []
    }
    do {
      return try FileManager.default.contentsOfDirectory(atPath: directory)
    } catch {
      throw CleanError.unreadableFile(path: directory, reason: "the directory cannot be listed")
    }
  }
}
