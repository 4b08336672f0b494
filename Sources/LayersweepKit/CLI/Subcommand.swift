/// A subcommand of `layersweep`: its spec drives parsing and help, `run` does the work.
public protocol Subcommand {
  static var spec: CommandSpec { get }
  /// Runs the command. Usage errors are thrown as `UsageError`; every other failure is
  /// printed and returned as `.failed`.
  static func run(_ options: ParsedOptions, console: Console) throws -> ExitStatus
}
