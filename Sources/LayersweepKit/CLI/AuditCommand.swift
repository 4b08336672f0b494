import Foundation

/// `layersweep audit`: reports every kind of storage garbage and fault on the host.
enum AuditCommand: Subcommand {
  /// The output formats `--format` accepts.
  enum Format: String, CaseIterable {
    case table, json, prometheus
  }

  static let spec = CommandSpec(
    name: "audit",
    abstract: "Report storage garbage, leaked mounts and cgroups, and stale container state.",
    discussion:
      "Reads the host without changing it. Exits with 0 when nothing was found, 1 when\n"
      + "there are findings and 2 when something could not be read.",
    options: [
      OptionSpec(
        "format", value: "format", help: "Output format: table, json or prometheus.",
        default: "table"),
      OptionSpec("json", help: "Print the report as one JSON document (same as --format json)."),
      OptionSpec(
        "output", short: "o", value: "file",
        help: "Write the report to this file, replaced atomically, instead of standard output."),
      HostPathOptions.dockerCgroupParentSpec,
      OptionSpec(
        "api-timeout", value: "seconds",
        help: "Seconds to wait for a runtime API before treating it as not responding.",
        default: "2"),
      OptionSpec(
        "dying-cgroups-threshold", value: "count",
        help: "Report a cgroup hierarchy once it holds this many dying cgroups.", default: "100"),
      OptionSpec(
        "read-timeout", value: "seconds",
        help: "Seconds reading the host or one store may take before it is reported as hung.",
        default: "120"),
      OptionSpec(
        "no-bytes", help: "Skip counting reclaimable bytes, which walks layer directories."),
      OptionSpec("verbose", short: "v", help: "Log debug diagnostics to standard error."),
    ] + HostPathOptions.specs)

  static func run(_ options: ParsedOptions, console: Console) throws -> ExitStatus {
    let format = try format(options)
    let context = try context(options)
    let report = Auditor(context: context).run(console: console)
    for error in report.errors {
      console.log(.error, error.message, ["store": error.store, "path": error.path])
    }

    let text = try render(report, format: format)
    if let output = options.value("output") {
      do {
        try AtomicFile.write(text, to: output)
      } catch {
        console.log(.error, "\(error)")
        return .failed
      }
    } else {
      console.print(text)
    }
    return report.exitStatus
  }

  static func format(_ options: ParsedOptions) throws -> Format {
    let name = options.value("format") ?? (options.has("json") ? "json" : "table")
    guard let format = Format(rawValue: name) else {
      throw UsageError(
        "invalid value '\(name)' for '--format <format>': expected table, json or prometheus")
    }
    if options.has("json") && format != .json {
      throw UsageError("'--json' conflicts with '--format \(name)'")
    }
    return format
  }

  static func context(_ options: ParsedOptions) throws -> AuditContext {
    let paths = try HostPathOptions.paths(from: options)

    var context = AuditContext(paths: paths, measuresBytes: !options.has("no-bytes"))
    context.dockerCgroupParent = try HostPathOptions.dockerCgroupParent(from: options)
    if let text = options.value("dying-cgroups-threshold") {
      guard let count = Int(text), count > 0 else {
        throw UsageError(
          "invalid value '\(text)' for '--dying-cgroups-threshold <count>': "
            + "expected a positive whole number")
      }
      context.dyingCgroupsThreshold = count
    }
    if let text = options.value("read-timeout") {
      guard let seconds = TimeInterval(text), seconds > 0, seconds.isFinite else {
        throw UsageError(
          "invalid value '\(text)' for '--read-timeout <seconds>': expected a positive number")
      }
      context.readTimeout = seconds
    }
    if let text = options.value("api-timeout") {
      guard let seconds = TimeInterval(text), seconds > 0, seconds.isFinite else {
        throw UsageError(
          "invalid value '\(text)' for '--api-timeout <seconds>': expected a positive number")
      }
      context.apiTimeout = seconds
    }
    return context
  }

  static func render(_ report: AuditReport, format: Format) throws -> String {
    switch format {
    case .table: TableRenderer.render(report)
    case .json: try JSONRenderer.render(report)
    case .prometheus: PrometheusRenderer.render(report)
    }
  }
}
