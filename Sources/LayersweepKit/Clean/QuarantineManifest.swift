import Foundation

/// The record kept next to a quarantined item: where it came from and what it was, so
/// `restore` can put it back and `purge` can tell its age.
public struct QuarantineManifest: Codable, Equatable, Sendable {
  public var id: String
  /// The item's path before it was quarantined.
  public var originalPath: String
  /// Paths moved with the item, such as an overlay2 layer's `l/<short-id>` link, stored in
  /// the trash entry as `companion-0`, `companion-1`, and so on.
  public var companions: [String]
  public var kind: String
  public var store: String
  /// The finding's object id, such as the layer id.
  public var findingID: String
  public var bytes: Int64?
  /// When the item was moved, to the second, as the manifest stores it.
  public var quarantinedAt: Date

  public init(
    id: String, originalPath: String, companions: [String] = [], kind: String, store: String,
    findingID: String, bytes: Int64?, quarantinedAt: Date
  ) {
    self.id = id
    self.originalPath = originalPath
    self.companions = companions
    self.kind = kind
    self.store = store
    self.findingID = findingID
    self.bytes = bytes
    self.quarantinedAt = Date(
      timeIntervalSince1970: quarantinedAt.timeIntervalSince1970.rounded(.down))
  }

  enum CodingKeys: String, CodingKey {
    case id, companions, kind, store, bytes
    case originalPath = "original_path"
    case findingID = "finding_id"
    case quarantinedAt = "quarantined_at"
  }

  func encoded() throws -> [UInt8] {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    encoder.dateEncodingStrategy = .iso8601
    return Array(try encoder.encode(self)) + [0x0A]
  }

  /// Reads and checks a manifest: its id must match its directory and every path must lie
  /// beneath `root`, so a tampered manifest cannot direct a rename elsewhere.
  static func read(from path: String, expectedID: String, root: String) throws
    -> QuarantineManifest
  {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw CleanError.unreadableFile(path: path, reason: "the manifest is missing or unreadable")
    }
    let decoder = JSONDecoder()
    decoder.dateDecodingStrategy = .iso8601
    let manifest: QuarantineManifest
    do {
      manifest = try decoder.decode(QuarantineManifest.self, from: data)
    } catch {
      throw CleanError.unreadableFile(path: path, reason: "the manifest is not valid JSON")
    }
    guard manifest.id == expectedID else {
      throw CleanError.unreadableFile(path: path, reason: "the manifest names id \(manifest.id)")
    }
    for original in [manifest.originalPath] + manifest.companions {
      _ = try BeneathPath(original, beneath: root)
    }
    return manifest
  }
}
