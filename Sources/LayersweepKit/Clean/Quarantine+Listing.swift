import Foundation

extension Quarantine {
  /// One entry of a trash directory.
  public struct Entry: Sendable, Equatable {
    public var root: String
    public var manifest: QuarantineManifest
  }

  /// Lists the complete quarantine entries under every root, oldest first. Entries a killed
  /// run left incomplete are the business of `recover`, not listed here.
  public static func list(roots: [String]) -> [Entry] {
    var entries: [Entry] = []
    for root in roots {
      for name in entryNames(root: root) {
        let directory = trashDirectory(root: root) + "/" + name
        guard exists(directory + "/item"),
          let manifest = try? QuarantineManifest.read(
            from: directory + "/manifest.json", expectedID: name, root: root)
        else { continue }
        entries.append(Entry(root: root, manifest: manifest))
      }
    }
    return entries.sorted { $0.manifest.quarantinedAt < $1.manifest.quarantinedAt }
  }

  /// Finds the root and manifest of a complete quarantine entry.
  static func find(id: String, roots: [String]) throws -> (String, QuarantineManifest)? {
    for root in roots {
      let directory = trashDirectory(root: root) + "/" + id
      guard exists(directory + "/item") else { continue }
      let manifest = try QuarantineManifest.read(
        from: directory + "/manifest.json", expectedID: id, root: root)
      return (root, manifest)
    }
    return nil
  }

  /// The names in the trash of `root`, sorted; empty when there is no trash.
  static func entryNames(root: String) -> [String] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: trashDirectory(root: root)))
    return (names ?? []).sorted()
  }
}
