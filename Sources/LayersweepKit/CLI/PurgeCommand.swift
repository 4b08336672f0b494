/// `layersweep purge`: deletes quarantined items past their retention.
enum PurgeCommand: Subcommand {
  static let spec = CommandSpec(
    name: "purge",
    abstract: "Delete quarantined items older than the retention period.",
    options: [CleanOptions.retention] + CleanOptions.shared)

  static func run(_ options: ParsedOptions, console: Console) throws -> ExitStatus {
    let retention = try CleanOptions.retentionSeconds(options)
    let roots = CleanOptions.roots(CleanOptions.targets(try CleanOptions.hostPaths(options)))
    let (lock, quarantine) = try CleanOptions.lockedQuarantine(
      options, roots: roots, console: console)
    defer { withExtendedLifetime(lock) {} }
    let results = quarantine.purge(roots: roots, retention: retention)
    console.print(PlanText.render(results))
    return results.contains { $0.error != nil } ? .findings : .healthy
  }
}
