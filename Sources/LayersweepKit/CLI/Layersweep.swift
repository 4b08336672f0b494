/// The `layersweep` command: dispatches to a subcommand and maps its outcome to an exit
/// status.
public enum Layersweep {
  public static let version = "0.1.0"
  static let abstract = "Find and remove the storage garbage container runtimes leave behind."

  /// Every subcommand, in the order help lists them.
  static var subcommands: [any Subcommand.Type] {
    [
      AuditCommand.self, CleanCommand.self, RestoreCommand.self, PurgeCommand.self,
      WatchCommand.self,
    ]
  }

  /// Runs the command line `arguments` (without the program name) and returns the exit
  /// status.
  public static func main(_ arguments: [String], console: Console = .standard()) -> Int32 {
    guard let first = arguments.first, first != "--help", first != "-h" else {
      console.print(rootHelp)
      return arguments.isEmpty ? ExitStatus.usage.rawValue : ExitStatus.healthy.rawValue
    }
    if first == "--version" {
      console.print("layersweep \(version)\n")
      return ExitStatus.healthy.rawValue
    }
    if first == "help" {
      return help(Array(arguments.dropFirst()), console: console)
    }
    guard let command = subcommands.first(where: { $0.spec.name == first }) else {
      return usageFailure("unknown subcommand '\(first)'", console: console)
    }
    return run(command, Array(arguments.dropFirst()), console: console)
  }

  private static func run(_ command: any Subcommand.Type, _ arguments: [String], console: Console)
    -> Int32
  {
    do {
      let options = try ParsedOptions.parse(arguments, spec: command.spec)
      if options.has("help") {
        console.print(HelpText.render(command.spec, commandPath: "layersweep \(command.spec.name)"))
        return ExitStatus.healthy.rawValue
      }
      if options.has("verbose") { console.minimumSeverity = .debug }
      return try command.run(options, console: console).rawValue
    } catch let error as UsageError {
      return usageFailure(error.message, console: console, command: command.spec.name)
    } catch {
      console.log(.error, "\(error)")
      return ExitStatus.failed.rawValue
    }
  }

  private static func help(_ arguments: [String], console: Console) -> Int32 {
    guard let name = arguments.first else {
      console.print(rootHelp)
      return ExitStatus.healthy.rawValue
    }
    guard let command = subcommands.first(where: { $0.spec.name == name }) else {
      return usageFailure("unknown subcommand '\(name)'", console: console)
    }
    console.print(HelpText.render(command.spec, commandPath: "layersweep \(name)"))
    return ExitStatus.healthy.rawValue
  }

  private static var rootHelp: String {
    HelpText.renderRoot(
      name: "layersweep", abstract: abstract, subcommands: subcommands.map { $0.spec },
      version: version)
  }

  /// Prints a usage error in argument-parser's form and returns status 64.
  private static func usageFailure(_ message: String, console: Console, command: String? = nil)
    -> Int32
  {
    var text = "Error: \(message)\n"
    if let command, let spec = subcommands.first(where: { $0.spec.name == command })?.spec {
      text += "Usage: layersweep \(command) \(HelpText.usageLine(spec))\n"
      text += "  See 'layersweep help \(command)' for more information.\n"
    } else {
      text += "  See 'layersweep --help' for the list of subcommands.\n"
    }
    console.printError(text)
    return ExitStatus.usage.rawValue
  }
}
