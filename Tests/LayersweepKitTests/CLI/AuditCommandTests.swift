import Foundation
import Testing

@testable import LayersweepKit

@Suite struct AuditCommandTests {
  static func parse(_ argv: [String]) throws -> ParsedOptions {
    try ParsedOptions.parse(argv, spec: AuditCommand.spec)
  }

  @Test(arguments: [
    ([], AuditCommand.Format.table), (["--json"], .json), (["--format", "json", "--json"], .json),
    (["--format=prometheus"], .prometheus),
  ])
  func choosesFormat(argv: [String], format: AuditCommand.Format) throws {
    #expect(try AuditCommand.format(Self.parse(argv)) == format)
  }

  @Test func jsonConflictsWithTable() throws {
    let options = try Self.parse(["--json", "--format", "table"])
    #expect(throws: UsageError("'--json' conflicts with '--format table'")) {
      try AuditCommand.format(options)
    }
  }

  @Test func pathsHaveRealDefaults() throws {
    let context = try AuditCommand.context(Self.parse([]))
    #expect(context.paths == HostPaths())
    #expect(context.paths.dockerRoot == "/var/lib/docker")
    #expect(context.paths.dockerSocket == "/run/docker.sock")
    #expect(context.paths.kubeletRoot == "/var/lib/kubelet")
    #expect(context.dockerCgroupParent == "docker")
    #expect(context.apiTimeout == 2)
    #expect(context.measuresBytes)
  }

  @Test func flagsSetContext() throws {
    let argv = [
      "--docker-root", "/d", "--docker-exec-root", "/e", "--docker-socket", "/s",
      "--docker-cgroup-parent", "ci", "--proc", "/p", "--cgroup-root", "/c", "--api-timeout",
      "0.5", "--no-bytes", "--kubelet-root", "/k",
    ]
    let context = try AuditCommand.context(Self.parse(argv))
    #expect(context.paths.dockerRoot == "/d")
    #expect(context.paths.dockerExecRoot == "/e")
    #expect(context.paths.dockerSocket == "/s")
    #expect(context.paths.proc == "/p")
    #expect(context.paths.cgroupRoot == "/c")
    #expect(context.paths.kubeletRoot == "/k")
    #expect(context.dockerCgroupParent == "ci")
    #expect(context.apiTimeout == 0.5)
    #expect(!context.measuresBytes)
  }

  @Test func rejectsEmptyKubeletRoot() throws {
    let options = try Self.parse(["--kubelet-root", ""])
    let message =
      "invalid value '' for '--kubelet-root <path>': expected a path such as /var/lib/kubelet"
    #expect(throws: UsageError(message)) { try AuditCommand.context(options) }
  }

  @Test(arguments: ["0", "-1", "abc", "nan", "inf"])
  func rejectsBadTimeout(text: String) throws {
    let options = try Self.parse(["--api-timeout", text])
    let message =
      "invalid value '\(text)' for '--api-timeout <seconds>': expected a positive number"
    #expect(throws: UsageError(message)) { try AuditCommand.context(options) }
  }

  @Test(arguments: ["", "/"])
  func rejectsEmptyCgroupParent(text: String) throws {
    let options = try Self.parse(["--docker-cgroup-parent", text])
    let message =
      "invalid value '\(text)' for '--docker-cgroup-parent <name>': "
      + "expected a cgroup name such as docker"
    #expect(throws: UsageError(message)) { try AuditCommand.context(options) }
  }

  @Test func atomicWriteReplacesFile() throws {
    let directory = try TemporaryDirectory()
    let file = directory.path + "/metrics.prom"
    try AtomicFile.write("old\n", to: file)
    try AtomicFile.write("new\n", to: file)
    #expect(try String(contentsOfFile: file, encoding: .utf8) == "new\n")
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["metrics.prom"])
  }
}
