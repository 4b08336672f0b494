/// A command-line option: a flag, or an option that takes a value.
public struct OptionSpec: Sendable {
  /// The long name without dashes, such as `docker-root`.
  public var name: String
  /// A one-letter short name, if any.
  public var shortName: Character?
  /// The placeholder shown for the value, such as `path`; nil for a flag.
  public var valueName: String?
  public var help: String
  /// The default shown in help, if any.
  public var defaultValue: String?
  /// Whether the option may be given more than once; the values accumulate.
  public var isRepeatable: Bool

  public init(
    _ name: String, short: Character? = nil, value: String? = nil, help: String,
    default defaultValue: String? = nil, repeatable: Bool = false
  ) {
    self.name = name
    self.shortName = short
    self.valueName = value
    self.help = help
    self.defaultValue = defaultValue
    self.isRepeatable = repeatable
  }

  var isFlag: Bool { valueName == nil }
}

/// A positional argument.
public struct ArgumentSpec: Sendable {
  public var name: String
  public var help: String
  public var isOptional: Bool
  public var isRepeatable: Bool

  public init(_ name: String, help: String, optional: Bool = false, repeatable: Bool = false) {
    self.name = name
    self.help = help
    self.isOptional = optional
    self.isRepeatable = repeatable
  }
}

/// A subcommand's name, summary, arguments and options, from which both parsing and help
/// are driven.
public struct CommandSpec: Sendable {
  public var name: String
  public var abstract: String
  public var discussion: String?
  public var arguments: [ArgumentSpec]
  public var options: [OptionSpec]

  public init(
    name: String, abstract: String, discussion: String? = nil,
    arguments: [ArgumentSpec] = [], options: [OptionSpec]
  ) {
    self.name = name
    self.abstract = abstract
    self.discussion = discussion
    self.arguments = arguments
    self.options = options + [OptionSpec("help", short: "h", help: "Show help information.")]
  }
}

/// A command line that did not match its command's spec. Exits with status 64.
public struct UsageError: Error, Equatable, CustomStringConvertible {
  public var message: String
  public init(_ message: String) { self.message = message }
  public var description: String { message }
}
