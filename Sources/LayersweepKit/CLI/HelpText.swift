/// Help text in swift-argument-parser's layout: OVERVIEW, USAGE, ARGUMENTS, OPTIONS and,
/// for the root command, SUBCOMMANDS.
public enum HelpText {
  /// Renders help for one subcommand.
  public static func render(_ spec: CommandSpec, commandPath: String) -> String {
    var lines = ["OVERVIEW: \(spec.abstract)", ""]
    if let discussion = spec.discussion { lines += [wrapped(discussion), ""] }
    lines += ["USAGE: \(commandPath) \(usageLine(spec))", ""]

    if !spec.arguments.isEmpty {
      lines.append("ARGUMENTS:")
      lines += spec.arguments.map { row("<\($0.name)>", $0.help) }
      lines.append("")
    }
    lines.append("OPTIONS:")
    for option in spec.options {
      var help = option.help
      if let value = option.defaultValue { help += " (default: \(value))" }
      lines.append(row(label(option), help))
    }
    return lines.joined(separator: "\n") + "\n"
  }

  /// Renders the root command's help with its subcommand list.
  public static func renderRoot(
    name: String, abstract: String, subcommands: [CommandSpec], version: String
  ) -> String {
    var lines = ["OVERVIEW: \(abstract)", "", "USAGE: \(name) <subcommand>", ""]
    lines += [
      "OPTIONS:", row("--version", "Show the version."),
      row("-h, --help", "Show help information."), "",
    ]
    lines.append("SUBCOMMANDS:")
    lines += subcommands.map { row($0.name, $0.abstract) }
    lines += [
      "", "EXIT STATUS:", row("0", "Healthy, or everything planned was done."),
      row("1", "Findings present, or some items were skipped or failed."),
      row("2", "Could not complete; the error is printed."), row("64", "Usage error."),
    ]
    lines += ["", "  See '\(name) help <subcommand>' for detailed help."]
    return lines.joined(separator: "\n") + "\n"
  }

  /// Wraps each line of `text` longer than `width` columns at spaces, as argument-parser
  /// wraps discussions.
  static func wrapped(_ text: String, width: Int = 80) -> String {
    text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
      var rows: [String] = []
      var row = ""
      for word in line.split(separator: " ") {
        if !row.isEmpty && row.count + 1 + word.count > width {
          rows.append(row)
          row = ""
        }
        row += (row.isEmpty ? "" : " ") + word
      }
      rows.append(row)
      return rows.joined(separator: "\n")
    }.joined(separator: "\n")
  }

  static func usageLine(_ spec: CommandSpec) -> String {
    var parts = spec.options.filter { $0.name != "help" }.map { "[\(label(compact: $0))]" }
    for argument in spec.arguments {
      let name = "<\(argument.name)>" + (argument.isRepeatable ? " ..." : "")
      parts.append(argument.isOptional ? "[\(name)]" : name)
    }
    return parts.joined(separator: " ")
  }

  private static func label(_ option: OptionSpec) -> String {
    var text = option.shortName.map { "-\($0), " } ?? ""
    text += "--\(option.name)"
    if let value = option.valueName { text += " <\(value)>" }
    return text
  }

  private static func label(compact option: OptionSpec) -> String {
    var text = "--\(option.name)"
    if let value = option.valueName { text += " <\(value)>" }
    return text + (option.isRepeatable ? " ..." : "")
  }

  private static func row(_ label: String, _ help: String) -> String {
    let padded = "  " + label
    if padded.count < 26 {
      return padded.padding(toLength: 26, withPad: " ", startingAt: 0) + help
    }
    return padded + "\n" + String(repeating: " ", count: 26) + help
  }
}
