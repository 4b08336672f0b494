/// `layersweep restore`: moves a quarantined item back where it was.
enum RestoreCommand: Subcommand {
  static let spec = CommandSpec(
    name: "restore",
    abstract: "Move a quarantined item back to its original path.",
    arguments: [ArgumentSpec("id", help: "The quarantine id clean printed.", optional: true)],
    options: [OptionSpec("list", help: "List the quarantined items and their ids.")]
      + CleanOptions.shared)

  static func run(_ options: ParsedOptions, console: Console) throws -> ExitStatus {
    let roots = CleanOptions.roots(CleanOptions.targets(try CleanOptions.hostPaths(options)))
    if options.has("list") {
      let entries = Quarantine.list(roots: roots)
      if entries.isEmpty { console.print("No quarantined items.\n") }
      for entry in entries {
        let manifest = entry.manifest
        console.print(
          "\(manifest.id) \(manifest.kind) \(manifest.originalPath) "
            + "\(CleanOptions.formatBytes(manifest.bytes))\n")
      }
      return .healthy
    }
    guard let id = options.arguments.first else { throw UsageError("missing argument '<id>'") }
    let (lock, quarantine) = try CleanOptions.lockedQuarantine(
      options, roots: roots, console: console)
    defer { withExtendedLifetime(lock) {} }
    let manifest = try quarantine.restore(id: id, roots: roots)
    console.print("restored \(manifest.originalPath) from quarantine \(id)\n")
    return .healthy
  }
}
