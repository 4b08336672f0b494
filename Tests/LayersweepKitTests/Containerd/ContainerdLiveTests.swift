import Foundation
import Testing

@testable import LayersweepKit

/// Runs a real containerd 1.6 with `ctr`, breaks its store the ways a host breaks it, and
/// checks the exact findings. Needs root and the Debian containerd package; skipped otherwise.
@Suite(.serialized, .enabled(if: ContainerdDaemon.isAvailable))
struct ContainerdLiveTests {
  @Test func liveAuditWhileRunning() throws {
    let daemon = try ContainerdDaemon()
    defer { daemon.tearDown() }
    try daemon.start()
    let image = try DockerArchiveImage.write(in: daemon.base, tag: "layersweep/busybox:live")
    try daemon.ctr(["images", "import", image])
    let chain = try #require(try committedSnapshotKeys(daemon).first)
    try daemon.ctr([
      "run", "-d", "docker.io/layersweep/busybox:live", "c1", "/bin/sh", "-c", "sleep 1000",
    ])
    defer { stopTask(daemon, "c1") }
    let unreferenced = try newDirectory(daemon) {
      try daemon.ctr(["snapshots", "prepare", "unref1", chain])
    }
    let removed = try newDirectory(daemon) {
      try daemon.ctr(["snapshots", "prepare", "gone1", chain])
    }
    try FileManager.default.removeItem(atPath: daemon.snapshotsDirectory + "/" + removed)
    try FileManager.default.createDirectory(
      atPath: daemon.snapshotsDirectory + "/99/fs", withIntermediateDirectories: true)

    let result = ContainerdStore(paths: daemon.paths).audit(
      host: HostSnapshot(), context: AuditContext(paths: daemon.paths, measuresBytes: false))
    let snapshots = daemon.snapshotsDirectory
    #expect(result.errors.isEmpty)
    #expect(
      Set(result.findings.map(Self.summary)) == [
        FindingSummary(.orphanedLayer, "99", "\(snapshots)/99", cleanable: false),
        FindingSummary(
          .danglingLayerMetadata, "gone1", "\(snapshots)/\(removed)", cleanable: false),
        FindingSummary(
          .unreferencedLayerChain, "gone1", "\(snapshots)/\(removed)", cleanable: false),
        FindingSummary(
          .unreferencedLayerChain, "unref1", "\(snapshots)/\(unreferenced)", cleanable: false),
      ])
    #expect(result.findings.count == 4)
    let pid = try #require(daemon.process?.processIdentifier)
    let orphan = try #require(result.findings.first { $0.id == "99" })
    #expect(
      orphan.evidence.last?.hasPrefix("pid \(pid) holds a lock on containerd's database") == true)
  }

  /// Recipe for the `new-*` leftover: strace delays every rename in containerd by 0.3 s, so
  /// the `new-*` directory a prepare creates stays in place until its rename. containerd is
  /// killed with SIGKILL as soon as it appears, before the bbolt transaction commits.
  @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/strace")))
  func liveKillDuringImport() throws {
    let daemon = try ContainerdDaemon()
    defer { daemon.tearDown() }
    try daemon.start()
    let image = try DockerArchiveImage.write(
      in: daemon.base, tag: "layersweep/two:live", extraLayer: UUID().uuidString)
    let pid = try #require(daemon.process?.processIdentifier)
    let tracer = try delayRenames(of: pid)
    defer { stop(tracer) }
    let importer = try startProcess(
      "/usr/bin/ctr", ["-a", daemon.socket, "images", "import", image])
    defer { stop(importer) }
    let leftover = try #require(waitForEntry(in: daemon.snapshotsDirectory, prefix: "new-"))
    daemon.kill()
    importer.waitUntilExit()
    #expect(importer.terminationStatus != 0)

    let result = ContainerdStore(paths: daemon.paths).audit(
      host: HostSnapshot(), context: AuditContext(paths: daemon.paths, measuresBytes: false))
    #expect(result.errors.isEmpty)
    #expect(
      result.findings.map(Self.summary) == [
        FindingSummary(
          .staleRemoval, leftover, "\(daemon.snapshotsDirectory)/\(leftover)", cleanable: true)
      ])
  }

  // MARK: - Helpers

  /// Summarises a finding by its meta.db key when it has one, else by its id.
  static func summary(_ finding: Finding) -> FindingSummary {
    FindingSummary(
      finding.kind, finding.details["key"] ?? finding.id, finding.path,
      cleanable: finding.cleanable)
  }

  private func committedSnapshotKeys(_ daemon: ContainerdDaemon) throws -> [String] {
    try daemon.ctr(["snapshots", "ls"]).split(separator: "\n").compactMap { line in
      let fields = line.split(separator: " ")
      return fields.last == "Committed" ? String(fields[0]) : nil
    }
  }

  /// Runs `body` and returns the one snapshot directory it created.
  private func newDirectory(_ daemon: ContainerdDaemon, _ body: () throws -> Void) throws
    -> String
  {
    let before = Set(try FileManager.default.contentsOfDirectory(atPath: daemon.snapshotsDirectory))
    try body()
    let after = Set(try FileManager.default.contentsOfDirectory(atPath: daemon.snapshotsDirectory))
    return try #require(after.subtracting(before).first)
  }

  private func stopTask(_ daemon: ContainerdDaemon, _ id: String) {
    _ = try? daemon.ctr(["tasks", "kill", "-s", "SIGKILL", id])
    for _ in 0..<50 {
      if (try? daemon.ctr(["tasks", "delete", id])) != nil { return }
      usleep(100_000)
    }
  }

  private func delayRenames(of pid: Int32) throws -> Process {
    let syscalls = "rename,renameat,renameat2"
    let tracer = try startProcess(
      "/usr/bin/strace",
      [
        "-f", "-qq", "-o", "/dev/null", "-p", String(pid), "-e", "trace=\(syscalls)",
        "-e", "inject=\(syscalls):delay_enter=300000",
      ])
    for _ in 0..<100 where !isTraced(pid) { usleep(50_000) }
    return tracer
  }

  private func isTraced(_ pid: Int32) -> Bool {
    let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
    return status.split(separator: "\n").contains {
      $0.hasPrefix("TracerPid:") && !$0.hasSuffix("\t0")
    }
  }

  private func startProcess(_ program: String, _ arguments: [String]) throws -> Process {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: program)
    process.arguments = arguments
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    return process
  }

  private func stop(_ process: Process) {
    guard process.isRunning else { return }
    kill(process.processIdentifier, SIGKILL)
    process.waitUntilExit()
  }

  /// Polls `directory` every 20 ms for up to 60 s for an entry starting with `prefix`.
  private func waitForEntry(in directory: String, prefix: String) -> String? {
    for _ in 0..<3000 {
      let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
      if let name = names.first(where: { $0.hasPrefix(prefix) }) { return name }
      usleep(20_000)
    }
    return nil
  }
}
