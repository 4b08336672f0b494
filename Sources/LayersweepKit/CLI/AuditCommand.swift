/// `layersweep audit`: reports every kind of storage garbage and fault on the host.
enum AuditCommand: Subcommand {
  static let spec = CommandSpec(
    name: "audit",
    abstract: "Report storage garbage, leaked mounts and cgroups, and stale container state.",
    options: [
      OptionSpec("json", help: "Print the report as one JSON document."),
      OptionSpec("verbose", short: "v", help: "Log debug diagnostics to standard error."),
    ])

  static func run(_ options: ParsedOptions, console: Console) throws -> ExitStatus {
    // TODO: wire the collect, store and report stages.
    return .healthy
  }
}
