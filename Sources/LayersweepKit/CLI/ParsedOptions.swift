/// The options and arguments of one parsed command line.
public struct ParsedOptions: Sendable, Equatable {
  /// Values by long option name, in the order given. A flag given once holds `[""]`.
  public var values: [String: [String]] = [:]
  public var arguments: [String] = []

  public init() {}

  /// Whether the flag or option was given.
  public func has(_ name: String) -> Bool { values[name] != nil }

  /// The last value given for an option.
  public func value(_ name: String) -> String? { values[name]?.last }

  /// Every value given for a repeatable option, with comma-separated lists split.
  public func list(_ name: String) -> [String] {
    (values[name] ?? []).flatMap { $0.split(separator: ",").map(String.init) }
  }

  /// Parses `argv` (without the command names) against `spec`.
  ///
  /// Accepts `--name value`, `--name=value`, `-x value`, `-x` and `--` to end options.
  public static func parse(_ argv: [String], spec: CommandSpec) throws -> ParsedOptions {
    var parsed = ParsedOptions()
    var index = 0
    var isOptionsEnded = false

    while index < argv.count {
      let word = argv[index]
      index += 1
      if isOptionsEnded || word == "-" || !word.hasPrefix("-") {
        parsed.arguments.append(word)
        continue
      }
      if word == "--" {
        isOptionsEnded = true
        continue
      }
      let (option, inlineValue) = try lookUp(word, in: spec)
      if option.isFlag {
        if inlineValue != nil { throw UsageError("option '--\(option.name)' takes no value") }
        try parsed.record(option, value: "")
        continue
      }
      if let inlineValue {
        try parsed.record(option, value: inlineValue)
      } else if index < argv.count, !isOption(argv[index], in: spec) {
        try parsed.record(option, value: argv[index])
        index += 1
      } else {
        throw UsageError("missing value for '--\(option.name) <\(option.valueName ?? "value")>'")
      }
    }

    try parsed.checkArguments(against: spec)
    return parsed
  }

  /// Whether `word` names an option, so that `--exclude --dry-run` does not take the flag as
  /// the pattern. A word such as `-1` is not an option and is still taken as a value.
  private static func isOption(_ word: String, in spec: CommandSpec) -> Bool {
    word.hasPrefix("--") || (word.hasPrefix("-") && (try? lookUp(word, in: spec)) != nil)
  }

  private static func lookUp(_ word: String, in spec: CommandSpec) throws -> (OptionSpec, String?) {
    if word.hasPrefix("--") {
      let body = word.dropFirst(2)
      let name = body.split(separator: "=", maxSplits: 1).first.map(String.init) ?? ""
      let inline = body.contains("=") ? String(body.drop { $0 != "=" }.dropFirst()) : nil
      guard let option = spec.options.first(where: { $0.name == name }) else {
        throw UsageError("unknown option '--\(name)'")
      }
      return (option, inline)
    }
    let letters = Array(word.dropFirst())
    guard letters.count == 1, let option = spec.options.first(where: { $0.shortName == letters[0] })
    else { throw UsageError("unknown option '\(word)'") }
    return (option, nil)
  }

  private mutating func record(_ option: OptionSpec, value: String) throws {
    if values[option.name] != nil && !option.isRepeatable && !option.isFlag {
      throw UsageError("option '--\(option.name)' given more than once")
    }
    values[option.name, default: []].append(value)
  }

  private func checkArguments(against spec: CommandSpec) throws {
    if has("help") { return }
    let required = spec.arguments.filter { !$0.isOptional }
    if arguments.count < required.count {
      throw UsageError("missing argument '<\(required[arguments.count].name)>'")
    }
    let isUnbounded = spec.arguments.last?.isRepeatable ?? false
    if !isUnbounded && arguments.count > spec.arguments.count {
      throw UsageError("unexpected argument '\(arguments[spec.arguments.count])'")
    }
  }
}
