import Foundation

@testable import LayersweepKit

/// A synthetic Docker data root in a temporary directory, laid out as dockerd 20.10 writes
/// it with the overlay2 driver. Removed when released.
final class DockerRootFixture {
  let base: String
  var root: String { base + "/root" }
  var overlay: String { root + "/overlay2" }
  var layerDatabase: String { root + "/image/overlay2/layerdb" }
  var paths: HostPaths {
    var paths = HostPaths()
    paths.dockerRoot = root
    paths.dockerExecRoot = base + "/exec"
    paths.dockerSocket = base + "/missing.sock"
    return paths
  }

  init() throws {
    var template = Array(
      (FileManager.default.temporaryDirectory.path + "/lsw-docker-fixture.XXXXXX").utf8CString)
    guard let created = mkdtemp(&template) else { throw FixtureError("mkdtemp failed") }
    base = String(cString: created)
    for directory in [
      "overlay2/l", "image/overlay2/layerdb/sha256", "image/overlay2/layerdb/mounts",
      "image/overlay2/layerdb/tmp", "image/overlay2/imagedb/content/sha256", "containers",
    ] {
      try makeDirectory(root + "/" + directory)
    }
    try makeDirectory(base + "/exec/netns")
  }

  deinit {
    try? FileManager.default.removeItem(atPath: base)
  }

  /// A deterministic 64-hex id.
  static func id(_ seed: String) -> String { SHA256.hexDigest(seed) }

  /// A deterministic 26-character short link name.
  static func shortID(_ layerID: String) -> String {
    String(SHA256.hexDigest("link" + layerID).uppercased().prefix(26))
  }

  func makeDirectory(_ path: String) throws {
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  }

  /// Writes `text` to `relative` under the data root, creating parent directories.
  func write(_ relative: String, _ text: String) throws {
    let path = root + "/" + relative
    try makeDirectory((path as NSString).deletingLastPathComponent)
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
  }

  func remove(_ relative: String) throws {
    try FileManager.default.removeItem(atPath: root + "/" + relative)
  }

  /// Creates `overlay2/<id>` with `diff`, `link`, `l/<short>` and a `lower` naming the
  /// given lower layers, uppermost first.
  @discardableResult
  func addLayer(_ id: String, lowers: [String] = []) throws -> String {
    let short = Self.shortID(id)
    try makeDirectory(overlay + "/\(id)/diff")
    try write("overlay2/\(id)/diff/file", "content of \(id)\n")
    try write("overlay2/\(id)/link", short)
    if !lowers.isEmpty {
      try makeDirectory(overlay + "/\(id)/work")
      try write(
        "overlay2/\(id)/lower", lowers.map { "l/" + Self.shortID($0) }.joined(separator: ":"))
    }
    try FileManager.default.createSymbolicLink(
      atPath: overlay + "/l/" + short, withDestinationPath: "../\(id)/diff")
    return short
  }

  /// Creates an image of `layerCount` layers with its chains and layer directories, and
  /// returns its id, chain IDs and cache IDs, base first.
  func addImage(_ seed: String, layerCount: Int, tag: String? = nil) throws -> FixtureImage {
    let diffIDs = (0..<layerCount).map { Self.id("\(seed)-diff-\($0)") }
    let chainIDs = DockerImageDatabase.chainIDs(diffIDs: diffIDs)
    var cacheIDs: [String] = []
    for (index, chainID) in chainIDs.enumerated() {
      let cacheID = Self.id("\(seed)-cache-\(index)")
      try addLayer(cacheID, lowers: cacheIDs.reversed())
      try addChain(
        chainID, cacheID: cacheID, diffID: diffIDs[index], parent: chainIDs[..<index].last)
      cacheIDs.append(cacheID)
    }
    let diffList = diffIDs.map { "\"sha256:\($0)\"" }.joined(separator: ",")
    let config =
      "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\","
      + "\"diff_ids\":[\(diffList)]}}"
    let imageID = SHA256.hexDigest(config)
    try write("image/overlay2/imagedb/content/sha256/\(imageID)", config)
    if let tag { try tagImage(imageID, tag: tag) }
    return FixtureImage(id: imageID, chainIDs: chainIDs, cacheIDs: cacheIDs)
  }

  func addChain(_ chainID: String, cacheID: String?, diffID: String, parent: String?) throws {
    let directory = "image/overlay2/layerdb/sha256/\(chainID)"
    if let cacheID { try write(directory + "/cache-id", cacheID) }
    try write(directory + "/diff", "sha256:\(diffID)")
    try write(directory + "/size", "12")
    if let parent { try write(directory + "/parent", "sha256:\(parent)") }
  }

  private func tagImage(_ imageID: String, tag: String) throws {
    let repository = String(tag.split(separator: ":").first ?? "")
    try write(
      "image/overlay2/repositories.json",
      "{\"Repositories\":{\"\(repository)\":{\"\(tag)\":\"sha256:\(imageID)\"}}}")
  }

  /// Creates a container on top of `image`: its read-write and init layers, its
  /// `layerdb/mounts` entry and `containers/<id>/config.v2.json` with `state`.
  @discardableResult
  func addContainer(
    _ seed: String, image: FixtureImage, state: String = FixtureState.exited,
    name: String? = nil, extraConfig: String = ""
  ) throws -> FixtureContainer {
    let id = Self.id("container-" + seed)
    let mountID = Self.id("mount-" + seed)
    let lowers = Array(image.cacheIDs.reversed())
    try addLayer(mountID + "-init", lowers: lowers)
    try addLayer(mountID, lowers: [mountID + "-init"] + lowers)
    try write("image/overlay2/layerdb/mounts/\(id)/mount-id", mountID)
    try write("image/overlay2/layerdb/mounts/\(id)/init-id", mountID + "-init")
    try write("image/overlay2/layerdb/mounts/\(id)/parent", "sha256:\(image.chainIDs.last ?? "")")
    let config =
      "{\"ID\":\"\(id)\",\"Name\":\"/\(name ?? seed)\",\"Driver\":\"overlay2\","
      + "\"Image\":\"sha256:\(image.id)\",\"State\":\(state)\(extraConfig)}"
    try write("containers/\(id)/config.v2.json", config)
    return FixtureContainer(id: id, mountID: mountID)
  }

  /// Audits the fixture from disk alone.
  func audit(
    buildCacheReader: (any BuildCacheReader)? = nil, host: HostSnapshot = HostSnapshot()
  ) -> StoreAuditResult {
    let store = DockerOverlay2Store(
      paths: paths, buildCacheReader: buildCacheReader, queriesRuntime: false)
    return store.audit(host: host, context: AuditContext(paths: paths))
  }
}

struct FixtureImage {
  let id: String
  let chainIDs: [String]
  let cacheIDs: [String]
}

struct FixtureContainer {
  let id: String
  let mountID: String
}

/// `State` objects of config.v2.json as dockerd 20.10 writes them.
enum FixtureState {
  static let exited =
    "{\"Running\":false,\"Paused\":false,\"Restarting\":false,\"OOMKilled\":false,"
    + "\"RemovalInProgress\":false,\"Dead\":false,\"Pid\":0,\"ExitCode\":0,\"Error\":\"\","
    + "\"StartedAt\":\"2026-12-04T15:42:28.022680025Z\",\"FinishedAt\":\"2026-12-04T15:43:28Z\"}"
  static let running =
    "{\"Running\":true,\"Paused\":false,\"Restarting\":false,\"OOMKilled\":false,"
    + "\"RemovalInProgress\":false,\"Dead\":false,\"Pid\":4242,\"ExitCode\":0,\"Error\":\"\","
    + "\"StartedAt\":\"2026-12-04T15:42:28.022680025Z\",\"FinishedAt\":\"0001-01-01T00:00:00Z\"}"
  static let deadAfterFailedRemoval =
    "{\"Running\":false,\"Paused\":false,\"Restarting\":false,\"OOMKilled\":false,"
    + "\"RemovalInProgress\":true,\"Dead\":true,\"Pid\":0,\"ExitCode\":0,\"Error\":\"\","
    + "\"StartedAt\":\"2026-12-04T15:49:54.00362567Z\",\"FinishedAt\":\"2026-12-04T15:49:54Z\"}"
}

struct FixtureError: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}

/// A finding reduced to what tests assert: kind, id, path and whether clean may act.
struct FindingKey: Hashable, CustomStringConvertible {
  let kind: FindingKind
  let id: String
  let path: String?
  let cleanable: Bool

  init(_ kind: FindingKind, _ id: String, _ path: String?, cleanable: Bool) {
    self.kind = kind
    self.id = id
    self.path = path
    self.cleanable = cleanable
  }

  init(_ finding: Finding) {
    self.init(finding.kind, finding.id, finding.path, cleanable: finding.cleanable)
  }

  var description: String { "\(kind.rawValue) \(id) \(path ?? "-") cleanable=\(cleanable)" }
}

extension StoreAuditResult {
  var findingKeys: Set<FindingKey> { Set(findings.map(FindingKey.init)) }
}
