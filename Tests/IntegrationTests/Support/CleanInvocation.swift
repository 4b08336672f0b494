import Foundation
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// Runs the built `layersweep clean`, `restore` and `purge` against a test daemon's sandbox.
/// Every store root other than Docker's points at a missing directory inside the sandbox, so
/// clean never acts on the host's own containers/storage or containerd stores.
struct CleanInvocation {
  let daemon: DockerDaemon

  var journalPath: String { "\(daemon.sandbox)/journal.jsonl" }
  var lockPath: String { "\(daemon.sandbox)/clean.lock" }

  /// The path flags shared by every subcommand, equal to the audit's.
  var pathArguments: [String] {
    let absent = "\(daemon.sandbox)/absent"
    return [
      "--docker-root", daemon.dataRoot, "--docker-exec-root", daemon.execRoot,
      "--docker-socket", daemon.socketPath,
      "--containers-graphroot", "\(absent)/containers-storage",
      "--containers-runroot", "\(absent)/containers-run",
      "--containerd-root", "\(absent)/containerd", "--containerd-state", "\(absent)/containerd-run",
      "--kubelet-root", "\(absent)/kubelet", "--aufs-sysfs", "\(absent)/aufs",
      "--proc", "/proc", "--cgroup-root", "/sys/fs/cgroup",
      "--journal", journalPath, "--lock", lockPath,
    ]
  }

  /// Runs `clean --yes` with `--min-age minimumAge` and the given extra flags. `killAt` sets
  /// the fault injection step that kills the run with SIGKILL.
  @discardableResult
  func clean(minimumAge: String = "0s", _ extra: [String] = [], killAt: String? = nil) throws
    -> CommandResult
  {
    var environment = ["PATH": Command.searchPath]
    if let killAt { environment["LAYERSWEEP_TEST_KILL_AT"] = killAt }
    return try Command.run(
      [
        AuditRun.binaryPath, "clean", "--yes", "--min-age", minimumAge,
        "--docker-cgroup-parent", "/\(daemon.cgroupParent)",
      ] + extra + pathArguments,
      environment: environment, timeout: 300, check: false)
  }

  /// Runs `layersweep <subcommand>` with the sandbox's path flags.
  @discardableResult
  func run(_ subcommand: String, _ arguments: [String] = []) throws -> CommandResult {
    try Command.run(
      [AuditRun.binaryPath, subcommand] + arguments + pathArguments,
      environment: ["PATH": Command.searchPath], timeout: 120, check: false)
  }

  /// Returns the journal's lines and leaves out any line that does not decode.
  func journal() -> [JournalLine] {
    guard let data = FileManager.default.contents(atPath: journalPath) else { return [] }
    return String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap {
      try? JSONDecoder().decode(JournalLine.self, from: Data($0.utf8))
    }
  }

  /// Expects every journaled item to lie inside the sandbox or under the daemon's cgroup
  /// parent, so a test never acted on anything of the host or of another test.
  func expectJournalConfined(sourceLocation: SourceLocation = #_sourceLocation) {
    let foreign = journal().map(\.item).filter { item in
      !item.hasPrefix(daemon.sandbox + "/") && !item.contains("/\(daemon.cgroupParent)/")
        && !item.hasSuffix("/\(daemon.cgroupParent)")
    }
    #expect(foreign == [], sourceLocation: sourceLocation)
  }
}

/// One line of clean's journal.
struct JournalLine: Decodable {
  var item: String
  var kind: String
  var action: String
  var outcome: String
  var error: String?
  var quarantineID: String?

  enum CodingKeys: String, CodingKey {
    case item, kind, action, outcome, error
    case quarantineID = "quarantine_id"
  }
}

/// Checks that a daemon's images and containers still work after clean.
enum DockerHealth {
  /// Expects `docker system df` and `docker image inspect` to succeed, every tagged image to
  /// run `true`, and every container that is not running, except `unstartable`, to start.
  static func expectHealthy(
    _ daemon: DockerDaemon, except unstartable: Set<String> = [],
    sourceLocation: SourceLocation = #_sourceLocation
  ) throws {
    let df = try daemon.dockerResult(["system", "df"])
    #expect(df.status == 0, "docker system df: \(df.stderr)", sourceLocation: sourceLocation)
    for image in try taggedImages(daemon) {
      let inspect = try daemon.dockerResult(["image", "inspect", image])
      #expect(
        inspect.status == 0, "inspect \(image): \(inspect.stderr)", sourceLocation: sourceLocation)
      let run = try daemon.dockerResult(
        ["run", "--rm", "--network", "none", image, "true"], timeout: 60)
      #expect(run.status == 0, "run \(image): \(run.stderr)", sourceLocation: sourceLocation)
    }
    for container in try stoppedContainers(daemon) where !unstartable.contains(container) {
      let start = try daemon.dockerResult(["start", container], timeout: 60)
      #expect(
        start.status == 0, "start \(container): \(start.stderr)", sourceLocation: sourceLocation)
      _ = try daemon.dockerResult(["kill", container])
    }
  }

  /// Returns `repository:tag` of every tagged image.
  static func taggedImages(_ daemon: DockerDaemon) throws -> [String] {
    try daemon.docker("images", "--format", "{{.Repository}}:{{.Tag}}").split(separator: "\n")
      .map(String.init).filter { !$0.contains("<none>") }
  }

  /// Returns the ids of the containers that do not run.
  static func stoppedContainers(_ daemon: DockerDaemon) throws -> [String] {
    let all = try daemon.docker("ps", "--all", "--quiet", "--no-trunc")
    let running = try daemon.docker("ps", "--quiet", "--no-trunc")
    let runningSet = Set(running.split(separator: "\n"))
    return all.split(separator: "\n").filter { !runningSet.contains($0) }.map(String.init)
  }
}

/// A content listing of a directory tree (type, mode, size, contents or link target of each
/// entry), to compare a restored tree with the original byte for byte.
enum TreeDigest {
  static func listing(of root: String) throws -> [String] {
    let result = try Command.run(
      [
        "/usr/bin/find", root, "-printf", "%P %y %m %s %l\\n", "-type", "f", "-exec",
        "/usr/bin/sha256sum", "{}", "+",
      ])
    return result.stdout.split(separator: "\n").map {
      $0.replacingOccurrences(of: root, with: "<root>")
    }.sorted()
  }
}
