import Foundation

/// `layersweep watch`: probes mounts, scans for blocked tasks and pings runtimes, and
/// reports hangs while they last.
enum WatchCommand: Subcommand {
  static let spec = CommandSpec(
    name: "watch",
    abstract: "Watch for hung filesystems, blocked tasks and unresponsive runtimes.",
    discussion: """
      Probes each watched mount (statfs, stat, readdir, and a create-fsync-unlink write \
      probe in the directories given with --write-probe) on its own thread, so a hung \
      mount never blocks the watchdog. Serves Prometheus metrics at /metrics. With --once, \
      runs one round and exits 0 (healthy), 1 (findings) or 2 (could not complete), as a \
      node-problem-detector custom plugin; a single round reports tasks that stay in state \
      D for the whole round, because it cannot watch them for --blocked-threshold.
      """,
    options: [
      OptionSpec(
        "interval", value: "duration",
        help: "Time between rounds; with --once, the age limit of kernel hung-task reports.",
        default: "30s"),
      OptionSpec(
        "timeout", value: "duration", help: "Deadline of each probe and ping.", default: "10s"),
      OptionSpec(
        "blocked-threshold", value: "duration",
        help: "Time a task must stay in state D to be reported.", default: "30s"),
      OptionSpec(
        "mount", value: "path", help: "Also watch the mount holding this path.", repeatable: true),
      OptionSpec(
        "write-probe", value: "directory",
        help: "Run the write probe in this directory, which layersweep creates and owns.",
        repeatable: true),
      OptionSpec(
        "no-discovery",
        help: "Watch only --mount and --write-probe paths, not store roots and overlays."),
      OptionSpec(
        "store-root", value: "path",
        help:
          "A store root to watch (replaces the defaults: Docker, containers/storage, containerd).",
        repeatable: true),
      OptionSpec(
        "docker-socket", value: "path", help: "Docker API socket to ping, or 'none'.",
        default: "/run/docker.sock", repeatable: true),
      OptionSpec(
        "listen", value: "address", help: "Serve /metrics on HOST:PORT, or 'none'.",
        default: "127.0.0.1:9476"),
      OptionSpec(
        "textfile", value: "path",
        help: "Write metrics to this node_exporter textfile after each round."),
      OptionSpec(
        "kernel-log", value: "path", help: "Kernel log device, or 'none'.", default: "/dev/kmsg"),
      OptionSpec("rounds", value: "count", help: "Stop after this many rounds."),
      OptionSpec("once", help: "Run one round and exit with 0, 1 or 2."),
      OptionSpec("json", help: "Print one JSON line per event on standard output."),
      OptionSpec("verbose", short: "v", help: "Log debug diagnostics to standard error."),
    ])

  static func run(_ options: ParsedOptions, console: Console) throws -> ExitStatus {
    let configuration = try configuration(from: options)
    if options.has("once") { return IsolatedOnceRun.run(configuration, console: console) }
    let watchdog = Watchdog(configuration: configuration, console: console)
    let notifier = SystemdNotifier.fromEnvironment(ProcessInfo.processInfo.environment)
    return try watchdog.run(notifier: notifier)
  }

  static func configuration(from options: ParsedOptions) throws -> WatchConfiguration {
    var configuration = WatchConfiguration()
    configuration.interval = try duration(options, "interval") ?? configuration.interval
    configuration.timeout = try duration(options, "timeout") ?? configuration.timeout
    configuration.blockedThreshold =
      try duration(options, "blocked-threshold") ?? configuration.blockedThreshold
    configuration.mounts = options.list("mount")
    configuration.writeProbeDirectories = options.list("write-probe")
    configuration.discoversMounts = !options.has("no-discovery")
    if options.has("store-root") { configuration.storeRoots = options.list("store-root") }
    if options.has("docker-socket") {
      configuration.dockerSockets = options.list("docker-socket").filter { $0 != "none" }
    }
    if let listen = options.value("listen") {
      configuration.listen = listen == "none" ? nil : try parseListen(listen)
    }
    configuration.textfile = options.value("textfile")
    if let path = options.value("kernel-log") {
      configuration.kernelLogPath = path == "none" ? nil : path
    }
    if let rounds = options.value("rounds") {
      guard let count = Int(rounds), count > 0 else {
        throw UsageError(
          "invalid value '\(rounds)' for '--rounds <count>': expected a positive integer")
      }
      configuration.roundLimit = count
    }
    configuration.emitsJSON = options.has("json")
    try checkPaths(configuration)
    return configuration
  }

  private static func duration(_ options: ParsedOptions, _ name: String) throws -> Double? {
    guard let text = options.value(name) else { return nil }
    guard let seconds = DurationParser.seconds(text), seconds > 0 else {
      throw UsageError(
        "invalid value '\(text)' for '--\(name) <duration>': expected a positive duration "
          + "such as 500ms, 10s, 2m or 1h")
    }
    return seconds
  }

  private static func parseListen(_ text: String) throws -> ListenAddress {
    do {
      return try ListenAddress.parse(text)
    } catch {
      throw UsageError("\(error)")
    }
  }

  private static func checkPaths(_ configuration: WatchConfiguration) throws {
    let paths = configuration.mounts + configuration.writeProbeDirectories
    if let relative = paths.first(where: { !$0.hasPrefix("/") }) {
      throw UsageError("path '\(relative)' must be absolute")
    }
  }
}

/// Parses durations such as `500ms`, `10s`, `2m`, `1h` or a bare number of seconds.
enum DurationParser {
  static func seconds(_ text: String) -> Double? {
    let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
    for (suffix, scale) in units where text.hasSuffix(suffix) {
      return Double(text.dropLast(suffix.count)).map { $0 * scale }
    }
    return Double(text)
  }
}
