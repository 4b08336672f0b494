import Foundation

/// Options that clean, restore and purge share, and the objects built from them.
enum CleanOptions {
  static let shared: [OptionSpec] =
    [
      OptionSpec(
        "journal", value: "path", help: "Append one JSON line per action to this file.",
        default: Journal.defaultPath),
      OptionSpec(
        "lock", value: "path", help: "Lock file that keeps a second run out.",
        default: InstanceLock.defaultPath),
      OptionSpec("verbose", short: "v", help: "Log debug diagnostics to standard error."),
    ] + HostPathOptions.specs

  static let retention = OptionSpec(
    "retention", value: "duration",
    help: "Purge quarantined items older than this (s, m, h, d or w).", default: "7d")

  static func hostPaths(_ options: ParsedOptions) throws -> HostPaths {
    try HostPathOptions.paths(from: options)
  }

  /// Returns the re-verification hook of every store clean can act on, each reading its store
  /// as the audit does.
  static func targets(_ paths: HostPaths) -> [any CleanTarget] {
    [
      DockerOverlay2Store(paths: paths, buildCacheReader: BuildKitCacheReader()),
      ContainersStorageStore(paths: paths),
      ContainerdStore(paths: paths),
      DockerAufsStore(paths: paths),
    ]
  }

  /// Returns the distinct store roots of `targets`, whose trash directories clean, restore
  /// and purge read. Docker's overlay2 and aufs stores share the data root.
  static func roots(_ targets: [any CleanTarget]) -> [String] {
    var seen = Set<String>()
    return targets.map(\.cleanRoot).filter { seen.insert($0).inserted }
  }

  /// Takes the instance lock, opens the journal, and repairs what an interrupted run left in
  /// the trash of `roots`. The caller keeps the lock alive while it acts.
  static func lockedQuarantine(_ options: ParsedOptions, roots: [String], console: Console)
    throws -> (InstanceLock, Quarantine)
  {
    let lock = try InstanceLock(path: options.value("lock") ?? InstanceLock.defaultPath)
    let journal = try Journal(path: options.value("journal") ?? Journal.defaultPath)
    let quarantine = Quarantine(
      remover: FileSystemRemover(), journal: journal, faults: FaultInjection.fromEnvironment())
    recover(quarantine, roots: roots, console: console)
    return (lock, quarantine)
  }

  static func retentionSeconds(_ options: ParsedOptions) throws -> Int64 {
    try DurationParsing.seconds(options.value("retention") ?? "7d", option: "retention")
  }

  /// Runs recovery over every store's trash and logs what it repaired.
  static func recover(_ quarantine: Quarantine, roots: [String], console: Console) {
    for repair in quarantine.recover(roots: roots) {
      let severity: Severity = repair.outcome == "failed" ? .error : .notice
      console.log(
        severity, "repaired an interrupted run",
        ["path": repair.path, "outcome": repair.outcome, "error": repair.error ?? ""])
    }
  }

  /// Formats a byte count with binary units, such as `12.5 MiB`.
  static func formatBytes(_ bytes: Int64?) -> String {
    guard let bytes else { return "-" }
    let units = ["B", "KiB", "MiB", "GiB", "TiB"]
    var value = Double(bytes)
    var unit = 0
    while value >= 1024 && unit < units.count - 1 {
      value /= 1024
      unit += 1
    }
    return unit == 0 ? "\(bytes) B" : String(format: "%.1f %@", value, units[unit])
  }
}
