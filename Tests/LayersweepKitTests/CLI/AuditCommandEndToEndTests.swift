import Foundation
import Testing

@testable import LayersweepKit

/// Runs the built `layersweep` binary, which SwiftPM puts next to the test resources bundle.
@Suite struct AuditCommandEndToEndTests {
  struct Outcome: Equatable {
    var status: Int32
    var stdout: String
    var stderr: String
  }

  static func run(_ arguments: [String]) throws -> Outcome {
    let binary = Bundle.module.bundleURL.deletingLastPathComponent()
      .appendingPathComponent("layersweep")
    let process = Process()
    process.executableURL = binary
    process.arguments = arguments
    let stdout = Pipe()
    let stderr = Pipe()
    process.standardOutput = stdout
    process.standardError = stderr
    try process.run()
    let out = stdout.fileHandleForReading.readDataToEndOfFile()
    let err = stderr.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return Outcome(
      status: process.terminationStatus, stdout: String(decoding: out, as: UTF8.self),
      stderr: String(decoding: err, as: UTF8.self))
  }

  static var auditUsage: String {
    "Usage: layersweep audit \(HelpText.usageLine(AuditCommand.spec))\n"
  }

  static let auditHelp = """
    OVERVIEW: Report storage garbage, leaked mounts and cgroups, and stale container state.

    Reads the host without changing it. Exits with 0 when nothing was found, 1 when
    there are findings and 2 when something could not be read.

    USAGE: layersweep audit [--format <format>] [--json] [--output <file>] \
    [--docker-cgroup-parent <name>] [--api-timeout <seconds>] \
    [--dying-cgroups-threshold <count>] [--read-timeout <seconds>] [--no-bytes] [--verbose] \
    [--docker-root <path>] [--docker-exec-root <path>] [--docker-socket <path>] \
    [--containers-graphroot <path>] [--containers-runroot <path>] [--containerd-root <path>] \
    [--containerd-state <path>] [--aufs-sysfs <path>] [--kubelet-root <path>] [--proc <path>] \
    [--cgroup-root <path>]

    OPTIONS:
      --format <format>       Output format: table, json or prometheus. (default: table)
      --json                  Print the report as one JSON document (same as --format json).
      -o, --output <file>     Write the report to this file, replaced atomically, instead of standard output.
      --docker-cgroup-parent <name>
                              Docker's cgroup parent under the cgroupfs driver. (default: docker)
      --api-timeout <seconds> Seconds to wait for a runtime API before treating it as not responding. (default: 2)
      --dying-cgroups-threshold <count>
                              Report a cgroup hierarchy once it holds this many dying cgroups. (default: 100)
      --read-timeout <seconds>
                              Seconds reading the host or one store may take before it is reported as hung. (default: 120)
      --no-bytes              Skip counting reclaimable bytes, which walks layer directories.
      -v, --verbose           Log debug diagnostics to standard error.
      --docker-root <path>    Docker's data root. (default: /var/lib/docker)
      --docker-exec-root <path>
                              Docker's exec root. (default: /run/docker)
      --docker-socket <path>  Docker's API socket. (default: /run/docker.sock)
      --containers-graphroot <path>
                              The containers/storage graph root (Podman, Buildah, CRI-O). (default: /var/lib/containers/storage)
      --containers-runroot <path>
                              The containers/storage run root. (default: /run/containers/storage)
      --containerd-root <path>
                              containerd's root directory. (default: /var/lib/containerd)
      --containerd-state <path>
                              containerd's state directory. (default: /run/containerd)
      --aufs-sysfs <path>     Where the aufs module lists mounted branches. (default: /sys/fs/aufs)
      --kubelet-root <path>   kubelet's root directory, whose pods/ lists the pods on this node. (default: /var/lib/kubelet)
      --proc <path>           The procfs mount. (default: /proc)
      --cgroup-root <path>    Where the cgroup hierarchies are mounted. (default: /sys/fs/cgroup)
      -h, --help              Show help information.

    """

  /// Creates a temporary host with an empty Docker data root and exec root, a kubelet root
  /// without a pods directory and no cgroup hierarchies. `/proc` stays the real one.
  static func emptyHostArguments(_ directory: TemporaryDirectory) throws -> [String] {
    for name in ["docker", "run-docker", "cgroup", "kubelet"] {
      try FileManager.default.createDirectory(
        atPath: "\(directory.path)/\(name)", withIntermediateDirectories: true)
    }
    return [
      "--docker-root", "\(directory.path)/docker", "--docker-exec-root",
      "\(directory.path)/run-docker", "--docker-socket", "\(directory.path)/docker.sock",
      "--containers-graphroot", "\(directory.path)/containers",
      "--containers-runroot", "\(directory.path)/run-containers",
      "--containerd-root", "\(directory.path)/containerd",
      "--containerd-state", "\(directory.path)/run-containerd",
      "--cgroup-root", "\(directory.path)/cgroup", "--kubelet-root", "\(directory.path)/kubelet",
    ]
  }

  @Test func rootHelpExitsZero() throws {
    let expected = HelpText.renderRoot(
      name: "layersweep", abstract: Layersweep.abstract,
      subcommands: Layersweep.subcommands.map { $0.spec }, version: Layersweep.version)
    #expect(try Self.run(["--help"]) == Outcome(status: 0, stdout: expected, stderr: ""))
  }

  @Test func helpAuditPrintsOptions() throws {
    #expect(
      try Self.run(["help", "audit"]) == Outcome(status: 0, stdout: Self.auditHelp, stderr: ""))
    #expect(
      try Self.run(["audit", "--help"]) == Outcome(status: 0, stdout: Self.auditHelp, stderr: ""))
  }

  @Test func badFlagExitsWithUsage() throws {
    let expected =
      "Error: unknown option '--bogus'\n" + Self.auditUsage
      + "  See 'layersweep help audit' for more information.\n"
    #expect(
      try Self.run(["audit", "--bogus"]) == Outcome(status: 64, stdout: "", stderr: expected))
  }

  @Test func badFormatExitsWithUsage() throws {
    let expected =
      "Error: invalid value 'xml' for '--format <format>': expected table, json or prometheus\n"
      + Self.auditUsage + "  See 'layersweep help audit' for more information.\n"
    #expect(
      try Self.run(["audit", "--format", "xml"])
        == Outcome(status: 64, stdout: "", stderr: expected))
  }

  // NOTE: These audits read the real /proc, so a zombie under a container shim elsewhere on
  // the machine would turn up as a finding. The expected store status line is the store
  // adapter's view of an empty data root and changes with that adapter.
  @Test func emptyDockerRootHasNoFindings() throws {
    let directory = try TemporaryDirectory()
    let arguments = try Self.emptyHostArguments(directory)
    let expected = """
      Host: \(Auditor.currentHostname())
      Stores:
        docker-overlay2     \(directory.path)/docker  absent
        docker-aufs         \(directory.path)/docker/aufs  absent
        containers-storage  \(directory.path)/containers  absent
        containerd          \(directory.path)/containerd  absent
        kubelet             \(directory.path)/kubelet  absent

      No findings.

      """
    #expect(try Self.run(["audit"] + arguments) == Outcome(status: 0, stdout: expected, stderr: ""))
  }

  @Test func outputFileGetsPrometheusText() throws {
    let directory = try TemporaryDirectory()
    let arguments = try Self.emptyHostArguments(directory)
    let file = "\(directory.path)/layersweep.prom"
    let outcome = try Self.run(["audit", "--format", "prometheus", "--output", file] + arguments)
    #expect(outcome == Outcome(status: 0, stdout: "", stderr: ""))

    let text = try String(contentsOfFile: file, encoding: .utf8)
    #expect(text.contains("layersweep_audit_success 1\n"))
    let check = try PrometheusRendererTests.runPromtool(input: text)
    #expect(check.status == 0, "promtool: \(check.output)")
    let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.path)
    #expect(leftovers.sorted() == ["cgroup", "docker", "kubelet", "layersweep.prom", "run-docker"])
  }

  @Test func outputToMissingDirectoryFails() throws {
    let directory = try TemporaryDirectory()
    let arguments = try Self.emptyHostArguments(directory)
    let file = "\(directory.path)/missing/report.json"
    let outcome = try Self.run(["audit", "--json", "--output", file] + arguments)
    let message =
      "error: writing \(file) failed at open: No such file or directory. "
      + "Check that its directory exists and is writable.\n"
    #expect(outcome == Outcome(status: 2, stdout: "", stderr: message))
  }
}
