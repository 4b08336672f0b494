import Foundation
import Testing

@testable import LayersweepKit

@Suite struct ParsedOptionsTests {
  static let spec = CommandSpec(
    name: "audit", abstract: "Audit.",
    options: [
      OptionSpec("json", help: "JSON."),
      OptionSpec("docker-root", value: "path", help: "Root."),
      OptionSpec("only", value: "kinds", help: "Kinds.", repeatable: true),
    ])

  @Test func acceptsBothValueForms() throws {
    let spaced = try ParsedOptions.parse(["--docker-root", "/a"], spec: Self.spec)
    let joined = try ParsedOptions.parse(["--docker-root=/b"], spec: Self.spec)
    #expect(spaced.value("docker-root") == "/a")
    #expect(joined.value("docker-root") == "/b")
  }

  @Test func splitsRepeatedLists() throws {
    let parsed = try ParsedOptions.parse(["--only", "a,b", "--only=c"], spec: Self.spec)
    #expect(parsed.list("only") == ["a", "b", "c"])
  }

  @Test(arguments: [
    (["--nope"], "unknown option '--nope'"),
    (["--json=1"], "option '--json' takes no value"),
    (["--docker-root"], "missing value for '--docker-root <path>'"),
    (["--docker-root", "--json"], "missing value for '--docker-root <path>'"),
    (["--only", "--docker-root=/a"], "missing value for '--only <kinds>'"),
    (["stray"], "unexpected argument 'stray'"),
    (
      ["--docker-root", "/a", "--docker-root", "/b"], "option '--docker-root' given more than once"
    ),
  ])
  func rejectsBadCommandLines(argv: [String], message: String) {
    #expect(throws: UsageError(message)) { try ParsedOptions.parse(argv, spec: Self.spec) }
  }

  @Test func valueMayEndInShortOptionLetter() throws {
    let spec = CommandSpec(
      name: "clean", abstract: "Clean.",
      options: [
        OptionSpec("min-age", value: "duration", help: "Age."),
        OptionSpec("yes", short: "y", help: "Yes."),
      ])
    let spaced = try ParsedOptions.parse(["--min-age", "1h", "--yes"], spec: spec)
    let joined = try ParsedOptions.parse(["--min-age=2y"], spec: spec)
    #expect(spaced.value("min-age") == "1h")
    #expect(spaced.has("yes"))
    #expect(joined.value("min-age") == "2y")
  }

  @Test func doubleDashEndsOptions() throws {
    let spec = CommandSpec(
      name: "restore", abstract: "Restore.", arguments: [ArgumentSpec("id", help: "Id.")],
      options: [])
    let parsed = try ParsedOptions.parse(["--", "--json"], spec: spec)
    #expect(parsed.arguments == ["--json"])
  }
}

@Suite struct HelpTextTests {
  @Test func wrapsLongDiscussionLines() {
    let text = String(repeating: "word ", count: 20).trimmingCharacters(in: .whitespaces)
    let wrapped = HelpText.wrapped(text, width: 24)
    #expect(wrapped.split(separator: "\n").allSatisfy { $0.count <= 24 })
    #expect(wrapped.replacingOccurrences(of: "\n", with: " ") == text)
  }

  @Test func keepsShortLinesAndBreaks() {
    #expect(HelpText.wrapped("one\ntwo three", width: 80) == "one\ntwo three")
  }
}
