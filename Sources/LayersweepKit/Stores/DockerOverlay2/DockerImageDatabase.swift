import Foundation

/// One image from `imagedb/content/sha256/<image-id>`.
struct DockerImage {
  /// The image ID's 64 hex digits.
  let id: String
  /// Chain IDs of its layers, base first, as 64 hex digits.
  var chainIDs: [String]
  /// Repository tags from `repositories.json`, such as `busybox:latest`.
  var tags: [String] = []

  /// `sha256:<id>` followed by its tags, for evidence.
  var label: String {
    tags.isEmpty ? "sha256:\(id)" : "sha256:\(id) (\(tags.sorted().joined(separator: ", ")))"
  }
}

/// Docker's image configs and tags under `image/overlay2`.
struct DockerImageDatabase {
  var images: [String: DockerImage] = [:]

  private struct ImageConfig: Decodable {
    struct RootFS: Decodable {
      let diffIDs: [String]?

      enum CodingKeys: String, CodingKey { case diffIDs = "diff_ids" }
    }

    let rootfs: RootFS?
  }

  private struct Repositories: Decodable {
    let repositories: [String: [String: String]]?

    enum CodingKeys: String, CodingKey { case repositories = "Repositories" }
  }

  /// Reads every image config and `repositories.json`; failures go to `issues`.
  static func read(_ layout: DockerOverlay2Layout, issues: inout DockerReadIssues)
    -> DockerImageDatabase
  {
    var database = DockerImageDatabase()
    let files = DockerLayerDatabase.listing(layout.imageContentDirectory, issues: &issues)
      .filter { $0.type == .file }
    let directory = layout.imageContentDirectory
    // Decoding the configs and hashing the chain IDs is CPU work, so it runs on every core.
    let reads = ParallelMap.map(files) { entry -> ImageConfigRead in
      guard StoreIdentifier.matches(entry.name, shape: .hex64) else { return .unexpectedName }
      return readChainIDs(directory + "/" + entry.name)
    }
    for (entry, read) in zip(files, reads) {
      let path = directory + "/" + entry.name
      switch read {
      case .chainIDs(let chainIDs):
        database.images[entry.name] = DockerImage(id: entry.name, chainIDs: chainIDs)
      case .missing: continue
      case .unexpectedName:
        issues.record(path: path, message: "unexpected name in imagedb (expected an image ID)")
      case .failed(let failure):
        issues.record(
          path: path, message: failure + "; the layers of this image are unknown",
          hidesChains: true)
      }
    }
    database.readTags(layout.repositoriesFile, issues: &issues)
    return database
  }

  /// The outcome of reading one image config.
  private enum ImageConfigRead: Sendable {
    case chainIDs([String])
    case missing
    case unexpectedName
    /// The config is unreadable or invalid; the message names the cause.
    case failed(String)
  }

  /// Computes chain IDs from diff IDs: the first chain ID is the first diff ID, and each
  /// next one is the SHA-256 of `"<parent chain ID> <diff ID>"`, both as `sha256:<hex>`.
  static func chainIDs(diffIDs: [String]) -> [String] {
    var result: [String] = []
    for diffID in diffIDs {
      guard let parent = result.last else {
        result.append(diffID)
        continue
      }
      result.append(SHA256.hexDigest("sha256:\(parent) sha256:\(diffID)"))
    }
    return result
  }

  private static func readChainIDs(_ path: String) -> ImageConfigRead {
    switch StoreFileSystem.contents(of: path, limit: 16 << 20) {
    case .missing: return .missing
    case .failed(let message): return .failed(message)
    case .value(let bytes):
      guard let config = try? JSONDecoder().decode(ImageConfig.self, from: Data(bytes)) else {
        return .failed("invalid or truncated image config JSON")
      }
      let diffIDs = config.rootfs?.diffIDs ?? []
      let hexes = diffIDs.compactMap { $0.hasPrefix("sha256:") ? String($0.dropFirst(7)) : nil }
      guard hexes.count == diffIDs.count,
        hexes.allSatisfy({ StoreIdentifier.matches($0, shape: .hex64) })
      else {
        return .failed("rootfs.diff_ids holds a value that is not sha256:<64 hex digits>")
      }
      return .chainIDs(chainIDs(diffIDs: hexes))
    }
  }

  private mutating func readTags(_ path: String, issues: inout DockerReadIssues) {
    switch StoreFileSystem.contents(of: path, limit: 64 << 20) {
    case .missing: return
    case .failed(let message):
      issues.record(path: path, message: message + "; image tags are not shown")
    case .value(let bytes):
      guard let file = try? JSONDecoder().decode(Repositories.self, from: Data(bytes)) else {
        issues.record(path: path, message: "invalid JSON; image tags are not shown")
        return
      }
      for (_, tags) in file.repositories ?? [:] {
        for (tag, imageID) in tags where imageID.hasPrefix("sha256:") {
          images[String(imageID.dropFirst(7))]?.tags.append(tag)
        }
      }
    }
  }
}
