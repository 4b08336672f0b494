import Foundation

/// Everything read from one Docker root, and the helpers that turn it into findings. Each
/// finding kind lives in an extension of its own.
struct DockerOverlay2Audit {
  let store: String
  let layout: DockerOverlay2Layout
  let now: Date
  let measuresBytes: Bool
  var issues: DockerReadIssues
  /// Entries of `overlay2/` by name, without `l` and the quota device node.
  var layers: [String: StoreFileSystem.Entry] = [:]
  /// Entries of `overlay2/l/` by name.
  var links: [String: StoreFileSystem.Entry] = [:]
  /// Whether listing `overlay2/` failed, so `layers` is unknown rather than empty.
  var overlayListingFailed = false
  var layerDatabase = DockerLayerDatabase()
  var images = DockerImageDatabase()
  var containers: [DockerContainerDirectory] = []
  /// Whether `buildkit/snapshots.db` exists.
  var hasBuildCache = false
  /// What the build cache database references; nil when it is absent or was not read.
  var buildCache: BuildCacheReferences?
  /// Container states by id as the Docker API reported them; nil when it did not respond.
  var apiStates: [String: String]?
  /// Overlay2 directory names that some metadata or the build cache names, set by `read`.
  var referencedLayerIDs = Set<String>()
  /// Container names without the leading `/`, by container id, set by `read`.
  var containerNames: [String: String] = [:]
  /// Evidence sentences by layer id for layers that a collected mount uses.
  var mountedLayers: [String: String] = [:]

  init(store: String, layout: DockerOverlay2Layout, context: AuditContext) {
    self.store = store
    self.layout = layout
    self.now = context.now
    self.measuresBytes = context.measuresBytes
    self.issues = DockerReadIssues(store: store)
  }

  /// Reads the overlay2 directory, the layer and image databases and the containers.
  mutating func read(buildCacheReader: (any BuildCacheReader)?) {
    switch StoreFileSystem.entries(of: layout.overlayDirectory) {
    case .value(let entries):
      for entry in entries where entry.name != "l" && !Self.isQuotaDeviceNode(entry) {
        layers[entry.name] = entry
      }
    case .missing: break
    case .failed(let message):
      overlayListingFailed = true
      issues.record(
        path: layout.overlayDirectory, message: message + "; no layer directory was checked")
    }
    if case .value(let entries) = StoreFileSystem.entries(of: layout.linkDirectory) {
      for entry in entries { links[entry.name] = entry }
    }
    layerDatabase = DockerLayerDatabase.read(layout, issues: &issues)
    images = DockerImageDatabase.read(layout, issues: &issues)
    containers = DockerContainerDirectory.readAll(layout, issues: &issues)
    if case .value = StoreFileSystem.status(of: layout.buildCacheDatabase) {
      hasBuildCache = true
      do {
        buildCache = try buildCacheReader?.references(databasePath: layout.buildCacheDatabase)
      } catch {
        issues.record(
          AuditError(
            store: store, path: layout.buildCacheDatabase,
            message: "BuildKit's build cache database could not be read (\(error)); directories "
              + "it may own are left alone"))
      }
    }
    referencedLayerIDs = collectReferencedLayerIDs()
    for directory in containers {
      guard let name = directory.config?.name, !name.isEmpty else { continue }
      containerNames[directory.name] = name.hasPrefix("/") ? String(name.dropFirst()) : name
    }
  }

  /// Whether `entry` is the block device node `overlay2/backingFsBlockDev` that Docker on XFS
  /// creates for quotactl(2).
  static func isQuotaDeviceNode(_ entry: StoreFileSystem.Entry) -> Bool {
    entry.name == "backingFsBlockDev" && entry.type == .other
  }

  /// All findings of this store.
  func findings() -> [Finding] {
    var result = orphanedLayers()
    // An unlisted overlay2/ would make every layer look missing and every short link broken.
    if !overlayListingFailed {
      result += danglingMetadata()
      result += brokenLinks()
    }
    result += staleRemovals()
    result += unreferencedChains()
    result += orphanedContainers()
    return result
  }

  // MARK: - Shared helpers

  /// Whether `overlay2/<id>` exists as a real directory (not a symbolic link).
  func layerIsDirectory(_ id: String) -> Bool {
    layers[id]?.type == .directory
  }

  /// Describes `overlay2/<id>` when it is not a usable layer directory.
  func layerProblem(_ id: String) -> String? {
    switch layers[id]?.type {
    case .directory: return nil
    case nil: return "which does not exist"
    case .symbolicLink: return "which is a symbolic link, not a directory"
    default: return "which is not a directory"
    }
  }

  func relative(_ path: String) -> String { layout.relative(path) }

  func age(_ modified: Date) -> Int64 {
    Int64(max(0, now.timeIntervalSince(modified)))
  }

  /// Allocated bytes under the given real directories, or nil when bytes are not measured.
  func reclaimableBytes(_ paths: [String]) -> Int64? {
    guard measuresBytes else { return nil }
    var total: Int64 = 0
    for path in paths {
      guard case .value(let entry) = StoreFileSystem.status(of: path),
        entry.type == .directory || entry.type == .file
      else { continue }
      total += (try? DiskUsage.measure(path).allocatedBytes) ?? 0
    }
    return total
  }

  /// Chain IDs (hex) reachable from `chainID` by following `parent`, itself included.
  func ancestry(of chainID: String) -> [String] {
    var result: [String] = []
    var seen = Set<String>()
    var next: String? = chainID
    while let current = next, seen.insert(current).inserted {
      result.append(current)
      next = layerDatabase.chains[current]?.parentChainID
    }
    return result
  }

  /// The container's id followed by its name, for evidence.
  func containerLabel(_ id: String) -> String {
    guard let name = containerNames[id] else { return id }
    return "\(id) (\(name))"
  }

  /// The API's view of a container, as one evidence sentence, when the API answered.
  func apiEvidence(containerID: String) -> [String] {
    guard let apiStates else { return [] }
    guard let state = apiStates[containerID] else {
      return ["The Docker API does not list this container."]
    }
    return ["The Docker API lists this container with state '\(state)'."]
  }
}
