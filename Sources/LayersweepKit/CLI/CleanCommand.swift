import Foundation

/// `layersweep clean`: turns cleanable findings into a plan and carries it out.
enum CleanCommand: Subcommand {
  static let spec = CommandSpec(
    name: "clean",
    abstract: "Quarantine orphaned layers, unmount dead mounts and remove leaked cgroups.",
    discussion: """
      Shows the plan and asks before acting when standard input is a terminal. Every item is \
      re-verified immediately before it is acted on; items that changed are skipped. Layers go \
      to a quarantine in <store-root>/.layersweep-trash, undone with 'layersweep restore'.
      """,
    options: [
      OptionSpec("yes", short: "y", help: "Act without asking."),
      OptionSpec("dry-run", help: "Print the plan and what would be done; change nothing."),
      OptionSpec(
        "only", value: "kinds", help: "Act only on these finding kinds, comma-separated.",
        repeatable: true),
      OptionSpec(
        "exclude", value: "pattern", help: "Skip findings whose id or path matches this glob.",
        repeatable: true),
      OptionSpec(
        "min-age", value: "duration",
        help: "Leave objects modified more recently than this alone (s, m, h, d or w).",
        default: "1h"),
      OptionSpec(
        "release-leaked-mounts",
        help: "Unmount leaked mounts inside the mount namespaces holding them."),
      OptionSpec("purge", help: "Also purge quarantined items older than --retention."),
      CleanOptions.retention,
      OptionSpec(
        "report", value: "path",
        help: "Plan from this 'audit --json' report instead of auditing now."),
      HostPathOptions.dockerCgroupParentSpec,
    ] + CleanOptions.shared)

  static func run(_ options: ParsedOptions, console: Console) throws -> ExitStatus {
    let settings = try CleanSettings(options)
    return try CleanRun(settings: settings, console: console).run()
  }
}
