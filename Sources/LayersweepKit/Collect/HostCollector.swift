import Foundation

/// Takes the read-only host snapshot: mount namespaces, processes and cgroup hierarchies.
public enum HostCollector {
  /// Reads `/proc` and the cgroup trees under `paths`.
  public static func collect(paths: HostPaths) throws -> HostSnapshot {
    // TODO: read mount namespaces, processes and cgroups.
    HostSnapshot()
  }
}
