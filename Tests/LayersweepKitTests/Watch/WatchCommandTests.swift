import Testing

@testable import LayersweepKit

@Suite struct WatchCommandTests {
  static func configuration(_ argv: [String]) throws -> WatchConfiguration {
    try WatchCommand.configuration(from: ParsedOptions.parse(argv, spec: WatchCommand.spec))
  }

  @Test func defaults() throws {
    let configuration = try Self.configuration([])
    #expect(configuration.interval == 30)
    #expect(configuration.timeout == 10)
    #expect(configuration.blockedThreshold == 30)
    #expect(configuration.listen?.description == "127.0.0.1:9476")
    #expect(configuration.dockerSockets == ["/run/docker.sock"])
    #expect(configuration.discoversMounts)
  }

  @Test func parsesDurationsAndLists() throws {
    let configuration = try Self.configuration([
      "--interval", "500ms", "--timeout=2s", "--blocked-threshold", "1m", "--mount", "/a,/b",
      "--write-probe", "/a/probe", "--no-discovery", "--docker-socket", "none", "--listen", "none",
      "--rounds", "3",
    ])
    #expect(configuration.interval == 0.5)
    #expect(configuration.timeout == 2)
    #expect(configuration.blockedThreshold == 60)
    #expect(configuration.mounts == ["/a", "/b"])
    #expect(configuration.writeProbeDirectories == ["/a/probe"])
    #expect(!configuration.discoversMounts)
    #expect(configuration.dockerSockets.isEmpty)
    #expect(configuration.listen == nil)
    #expect(configuration.roundLimit == 3)
  }

  @Test(arguments: [
    (
      ["--interval", "soon"],
      "invalid value 'soon' for '--interval <duration>': expected a positive duration such as "
        + "500ms, 10s, 2m or 1h"
    ),
    (
      ["--timeout", "0"],
      "invalid value '0' for '--timeout <duration>': expected a positive duration such as "
        + "500ms, 10s, 2m or 1h"
    ),
    (["--mount", "relative/dir"], "path 'relative/dir' must be absolute"),
    (["--rounds", "-1"], "invalid value '-1' for '--rounds <count>': expected a positive integer"),
    (
      ["--listen", "localhost:1"],
      "invalid listen address 'localhost:1': expected IPv4-ADDRESS:PORT, [IPv6-ADDRESS]:PORT or 'none'"
    ),
  ])
  func rejectsBadValues(argv: [String], message: String) {
    #expect(throws: UsageError(message)) { try Self.configuration(argv) }
  }
}
