import Foundation

/// The parsed command line of `layersweep clean`.
struct CleanSettings {
  var paths: HostPaths
  /// Docker's cgroup parent, for judging container cgroups.
  var cgroupParent: String
  var filter: PlanFilter
  var isDryRun: Bool
  var isUnattended: Bool
  var purgesAfter: Bool
  var retention: Int64
  var reportPath: String?
  var journalPath: String
  var lockPath: String

  init(_ options: ParsedOptions) throws {
    paths = try CleanOptions.hostPaths(options)
    cgroupParent = try HostPathOptions.dockerCgroupParent(from: options)
    filter = PlanFilter()
    filter.minimumAge = try DurationParsing.seconds(
      options.value("min-age") ?? "1h", option: "min-age")
    filter.excludePatterns = options.values["exclude"] ?? []
    filter.releasesLeakedMounts = options.has("release-leaked-mounts")
    filter.onlyKinds = Set(
      try options.list("only").map { name in
        guard let kind = FindingKind(rawValue: name) else {
          throw UsageError("unknown finding kind '\(name)' for '--only'")
        }
        return kind
      })
    isDryRun = options.has("dry-run")
    isUnattended = options.has("yes")
    purgesAfter = options.has("purge")
    retention = try CleanOptions.retentionSeconds(options)
    reportPath = options.value("report")
    journalPath = options.value("journal") ?? Journal.defaultPath
    lockPath = options.value("lock") ?? InstanceLock.defaultPath
  }

  var targets: [any CleanTarget] { CleanOptions.targets(paths) }

  var hostReverifier: HostReverifier {
    HostReverifier(
      mountRoots: [paths.dockerRoot, paths.dockerExecRoot], cgroupRoot: paths.cgroupRoot,
      proc: paths.proc)
  }
}
