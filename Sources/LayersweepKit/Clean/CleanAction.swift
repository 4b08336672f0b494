/// The change clean makes for one finding.
public enum CleanAction: String, Sendable, Equatable {
  /// Rename the item (and its companions) into the store's trash.
  case quarantine
  /// Unmount a dead mount in the host namespace.
  case unmount
  /// Unmount a leaked mount inside the holder's mount namespace.
  case releaseMount = "release-mount"
  /// Remove an empty cgroup and its empty descendants, leaf first.
  case removeCgroup = "remove-cgroup"

  /// Returns the action for `kind`, or nil for kinds that are only reported.
  public static func forKind(_ kind: FindingKind) -> CleanAction? {
    switch kind {
    case .orphanedLayer, .staleRemoval: .quarantine
    case .deadMount: .unmount
    case .leakedMount: .releaseMount
    case .leakedCgroup: .removeCgroup
    default: nil
    }
  }

  /// Returns the operator's next step for a kind clean never acts on.
  public static func nextStep(for kind: FindingKind) -> String {
    switch kind {
    case .zombieProcess:
      return "restart or fix the parent process that does not reap its children"
    case .dyingCgroups:
      return "nothing to remove; the kernel frees dying cgroups once their memory is reclaimed"
    case .danglingLayerMetadata, .unreferencedLayerChain, .brokenLayerLink:
      return "let the runtime repair its metadata (restart it, or remove and re-pull the image)"
    case .staleContainerState:
      return "restart the runtime so it reloads the container's state, then remove the container"
    case .leakedMount:
      return "rerun clean with --release-leaked-mounts, or restart the process holding the mount"
    default:
      return "inspect the finding and act by hand"
    }
  }
}
