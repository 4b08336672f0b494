import Foundation

/// One committed layer chain: `layerdb/sha256/<chain-id>/`.
struct DockerLayerChain {
  /// The chain ID's 64 hex digits.
  let chainID: String
  var cacheID: String?
  var parentChainID: String?
  /// Mandatory files (`cache-id`, `diff`, `size`) that are absent.
  var missingFiles: [String] = []
  let modified: Date
}

/// A half-finished deletion or transaction in the layer database.
struct DockerPendingEntry {
  /// The directory name, such as `<chain-id>-<random>-removing` or `write-set-<random>`.
  let name: String
  let path: String
  /// The overlay2 directory the entry's `cache-id` names, if any.
  var cacheID: String?
  let modified: Date
}

/// A container's read-write layer record: `layerdb/mounts/<container-id>/`.
struct DockerContainerMount {
  let containerID: String
  let path: String
  var mountID: String?
  var initID: String?
  var parentChainID: String?
  let modified: Date
}

/// Docker's layer metadata under `image/overlay2/layerdb`.
struct DockerLayerDatabase {
  var chains: [String: DockerLayerChain] = [:]
  var removals: [DockerPendingEntry] = []
  var transactions: [DockerPendingEntry] = []
  var mounts: [String: DockerContainerMount] = [:]

  /// Reads the layer database; every failure goes to `issues`.
  static func read(_ layout: DockerOverlay2Layout, issues: inout DockerReadIssues)
    -> DockerLayerDatabase
  {
    var database = DockerLayerDatabase()
    let chainEntries = listing(layout.chainDirectory, issues: &issues)
    let files = ParallelMap.map(chainEntries) { entry in
      ChainFiles.read(layout.chain(entry.name), isDirectory: entry.type == .directory)
    }
    for (entry, chainFiles) in zip(chainEntries, files) {
      database.readChainEntry(entry, files: chainFiles, layout: layout, issues: &issues)
    }
    for entry in listing(layout.transactionDirectory, issues: &issues)
    where entry.name.hasPrefix("write-set-") {
      let path = layout.transactionDirectory + "/" + entry.name
      var pending = DockerPendingEntry(name: entry.name, path: path, modified: entry.modified)
      if entry.type == .directory {
        pending.cacheID = issues.readIdentifier(at: path + "/cache-id", shape: .dockerLayer)
      }
      database.transactions.append(pending)
    }
    let mountEntries = listing(layout.mountDirectory, issues: &issues)
    let mountFiles = ParallelMap.map(mountEntries) { entry in
      MountFiles.read(layout.mount(entry.name), isDirectory: entry.type == .directory)
    }
    for (entry, files) in zip(mountEntries, mountFiles) {
      database.readMount(entry, files: files, layout: layout, issues: &issues)
    }
    return database
  }

  /// Lists a layer database directory. An unreadable one may hide references, so it
  /// blocks cleaning of every orphaned layer; a missing one is simply empty.
  static func listing(_ path: String, issues: inout DockerReadIssues) -> [StoreFileSystem.Entry] {
    switch StoreFileSystem.entries(of: path) {
    case .value(let entries): return entries
    case .missing: return []
    case .failed(let message):
      issues.record(
        path: path, message: message + "; check its permissions and the disk",
        hidesLayers: true, hidesChains: true)
      return []
    }
  }

  /// The raw files of one `layerdb/sha256` entry, read in parallel before validation.
  struct ChainFiles: Sendable {
    var cacheID: StoreFileSystem.ReadResult<String> = .missing
    var parent: StoreFileSystem.ReadResult<String> = .missing
    var missingFiles: [String] = []

    static func read(_ path: String, isDirectory: Bool) -> ChainFiles {
      var files = ChainFiles()
      guard isDirectory else { return files }
      files.cacheID = StoreFileSystem.text(of: path + "/cache-id")
      files.parent = StoreFileSystem.text(of: path + "/parent")
      if case .missing = files.cacheID { files.missingFiles.append("cache-id") }
      for file in ["diff", "size"] {
        if case .missing = StoreFileSystem.status(of: path + "/" + file) {
          files.missingFiles.append(file)
        }
      }
      return files
    }
  }

  /// The raw files of one `layerdb/mounts` entry, read in parallel before validation.
  struct MountFiles: Sendable {
    var mountID: StoreFileSystem.ReadResult<String> = .missing
    var initID: StoreFileSystem.ReadResult<String> = .missing
    var parent: StoreFileSystem.ReadResult<String> = .missing

    static func read(_ path: String, isDirectory: Bool) -> MountFiles {
      var files = MountFiles()
      guard isDirectory else { return files }
      files.mountID = StoreFileSystem.text(of: path + "/mount-id")
      files.initID = StoreFileSystem.text(of: path + "/init-id")
      files.parent = StoreFileSystem.text(of: path + "/parent")
      return files
    }
  }

  private mutating func readChainEntry(
    _ entry: StoreFileSystem.Entry, files: ChainFiles, layout: DockerOverlay2Layout,
    issues: inout DockerReadIssues
  ) {
    let path = layout.chain(entry.name)
    guard entry.type == .directory else {
      // A symbolic link may lead to a chain that still names a layer, so nothing is cleanable.
      let isLink = entry.type == .symbolicLink
      issues.record(
        path: path, message: "unexpected non-directory entry in the layer database",
        hidesLayers: isLink, hidesChains: isLink)
      return
    }
    if StoreIdentifier.matches(entry.name, shape: .hex64) {
      chains[entry.name] = Self.chain(entry, path: path, files: files, issues: &issues)
    } else if entry.name.hasSuffix("-removing"),
      StoreIdentifier.matches(String(entry.name.prefix(64)), shape: .hex64)
    {
      var pending = DockerPendingEntry(name: entry.name, path: path, modified: entry.modified)
      pending.cacheID = issues.identifier(
        in: files.cacheID, path: path + "/cache-id", shape: .dockerLayer, hidesLayers: true)
      removals.append(pending)
    } else {
      issues.record(
        path: path,
        message: "unexpected entry name in the layer database (expected a chain ID)")
    }
  }

  private static func chain(
    _ entry: StoreFileSystem.Entry, path: String, files: ChainFiles,
    issues: inout DockerReadIssues
  ) -> DockerLayerChain {
    var chain = DockerLayerChain(chainID: entry.name, modified: entry.modified)
    chain.cacheID = issues.identifier(
      in: files.cacheID, path: path + "/cache-id", shape: .dockerLayer, hidesLayers: true)
    chain.parentChainID = issues.identifier(
      in: files.parent, path: path + "/parent", shape: .hex64, prefix: "sha256:",
      hidesChains: true)
    chain.missingFiles = files.missingFiles
    return chain
  }

  private mutating func readMount(
    _ entry: StoreFileSystem.Entry, files: MountFiles, layout: DockerOverlay2Layout,
    issues: inout DockerReadIssues
  ) {
    let path = layout.mount(entry.name)
    guard entry.type == .directory else {
      issues.record(
        path: path, message: "unexpected non-directory entry in layerdb/mounts",
        hidesLayers: entry.type == .symbolicLink)
      return
    }
    if !StoreIdentifier.matches(entry.name, shape: .hex64) {
      issues.record(
        path: path, message: "unexpected name in layerdb/mounts (expected a container id)")
    }
    var mount = DockerContainerMount(
      containerID: entry.name, path: path, modified: entry.modified)
    mount.mountID = issues.identifier(
      in: files.mountID, path: path + "/mount-id", shape: .dockerLayer, hidesLayers: true)
    mount.initID = issues.identifier(
      in: files.initID, path: path + "/init-id", shape: .dockerLayer, hidesLayers: true)
    mount.parentChainID = issues.identifier(
      in: files.parent, path: path + "/parent", shape: .hex64, prefix: "sha256:",
      hidesChains: true)
    mounts[entry.name] = mount
  }
}
