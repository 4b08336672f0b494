import Foundation

/// Docker's overlay2 graph driver store under the data root.
///
/// Reads `overlay2/`, `image/overlay2/{layerdb,imagedb,repositories.json}` and
/// `containers/`, and queries the Docker API over its unix socket (with a deadline) which
/// containers it tracks. The audit works from disk alone when the API does not respond.
public struct DockerOverlay2Store: StoreAdapter {
  public let name = "docker-overlay2"
  public var root: String { paths.dockerRoot }
  public var paths: HostPaths
  /// Reads BuildKit's `snapshots.db`; without one, directories BuildKit may own are never
  /// cleanable.
  public var buildCacheReader: (any BuildCacheReader)?
  /// Whether to ask the Docker API at all.
  public var queriesRuntime: Bool

  public init(
    paths: HostPaths, buildCacheReader: (any BuildCacheReader)? = nil,
    queriesRuntime: Bool = true
  ) {
    self.paths = paths
    self.buildCacheReader = buildCacheReader
    self.queriesRuntime = queriesRuntime
  }

  public func audit(host: HostSnapshot, context: AuditContext) -> StoreAuditResult {
    let layout = DockerOverlay2Layout(root: paths.dockerRoot, execRoot: paths.dockerExecRoot)
    var status = StoreStatus(name: name, root: paths.dockerRoot, isPresent: isPresent(layout))
    guard status.isPresent else { return StoreAuditResult(status: status) }

    var audit = DockerOverlay2Audit(store: name, layout: layout, context: context)
    audit.read(buildCacheReader: buildCacheReader)
    audit.mountedLayers = audit.layersInUse(host: host)
    if queriesRuntime {
      let client = UnixHTTPClient(socketPath: paths.dockerSocket)
      audit.apiStates = DockerAPICrossCheck(client: client, timeout: context.apiTimeout)
        .containerStates()
      status.isRuntimeResponding = audit.apiStates != nil
    }

    let findings = audit.findings()
    let containers = audit.containerRecords()
    return StoreAuditResult(
      status: status, findings: findings, errors: audit.issues.errors, containers: containers,
      mountRoots: [
        layout.overlayDirectory, layout.containersDirectory,
        layout.networkNamespaceDirectory,
      ],
      layerDiffDirectories: diffDirectories(audit), layerRoot: layout.overlayDirectory,
      // The overlay2 driver bind-mounts its home onto itself to make it private, and the
      // daemon keeps the default network namespace mounted for as long as it runs.
      sharedMountPoints: [
        layout.overlayDirectory, layout.networkNamespaceDirectory + "/default",
      ],
      isContainerListComplete: true)
  }

  /// The store exists when `overlay2/` or `image/overlay2/` does.
  private func isPresent(_ layout: DockerOverlay2Layout) -> Bool {
    for path in [layout.overlayDirectory, layout.imageDirectory] {
      if case .value(let entry) = StoreFileSystem.status(of: path), entry.type == .directory {
        return true
      }
    }
    return false
  }

  private func diffDirectories(_ audit: DockerOverlay2Audit) -> [String: String] {
    var result: [String: String] = [:]
    for (id, entry) in audit.layers where entry.type == .directory {
      result[id] = audit.layout.layer(id) + "/diff"
    }
    return result
  }
}
