import Foundation

/// Docker's overlay2 graph driver store under the data root.
public struct DockerOverlay2Store: StoreAdapter {
  public let name = "docker-overlay2"
  public var paths: HostPaths

  public init(paths: HostPaths) {
    self.paths = paths
  }

  public func audit(host: HostSnapshot, context: AuditContext) -> StoreAuditResult {
    // TODO: read layerdb, imagedb, containers and overlay2.
    StoreAuditResult(status: StoreStatus(name: name, root: paths.dockerRoot, isPresent: false))
  }
}
