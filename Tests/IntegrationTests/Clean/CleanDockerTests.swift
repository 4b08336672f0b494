import Foundation
import Testing

extension DockerIntegrationTests {
  /// `layersweep clean` against a real dockerd on a temporary data root. The damage comes from
  /// the same recipes the audit tests use; every test checks afterwards that the images run
  /// and the containers start.
  @Suite struct CleanDockerTests {
    /// Every cleanable case in one daemon: an import killed before its commit (orphaned layer
    /// and write-set), a `-removing` entry left by a failed `docker rmi`, a dead overlay mount
    /// and empty leaked cgroups. Then `restore` brings the quarantined layer back.
    @Test func cleanableCasesCleaned() async throws {
      try await DockerDaemon.with { daemon in
        try daemon.prepareImages()
        try daemon.docker("create", "--name", "kept", TestImage.multiLayer)
        let imported = try daemon.interruptImport()
        try daemon.start()
        let removal = try daemon.failImageRemoval()
        let shimless = try daemon.leaveCgroupsAfterShimDied()
        let crashed = try daemon.killContainerWhileDaemonDown()
        let damages = [imported, removal, shimless, crashed]
        for damage in damages { try AuditExpectations.expectState(damage) }
        try AuditExpectations.expectFindings(damages.flatMap(\.expected), on: daemon)

        // A killed init whose shim died is reparented to pid 1, which may reap it late, and
        // the audit counts such a zombie as a member of its cgroup until then.
        let cgroupNames = Set(
          damages.flatMap(\.expected).filter { $0.kind == "leaked-cgroup" }.map(\.id))
        let reaped = HostState.wait(timeout: 60) {
          cgroupNames.allSatisfy { HostState.processes(inCgroup: $0).isEmpty }
        }
        #expect(reaped, "a process is still a member of a leaked cgroup")
        let orphan = try #require(imported.expected.first { $0.kind == "orphaned-layer" }?.path)
        let orphanListing = try TreeDigest.listing(of: orphan)
        let invocation = CleanInvocation(daemon: daemon)
        let first = try invocation.clean()
        #expect(first.status == 0, "clean: \(first.stdout)\(first.stderr)")
        let stale = crashed.expected.filter { $0.kind == "stale-container-state" }
        try AuditExpectations.expectFindings(stale, on: daemon)

        try daemon.start()
        try AuditExpectations.expectFindings([], on: daemon)
        // runc keeps the state of the container whose shim was killed, so `docker start`
        // fails with "container with given ID already exists" for it, with or without clean.
        let unstartable = shimless.expected.compactMap { $0.id.split(separator: "/").last }
        try DockerHealth.expectHealthy(daemon, except: Set(unstartable.map(String.init)))
        try expectSecondCleanIdle(invocation)
        invocation.expectJournalConfined()
        try expectRestore(orphan, listing: orphanListing, invocation)
      }
    }

    /// A second run over a host clean already cleaned plans nothing and journals nothing.
    private func expectSecondCleanIdle(
      _ invocation: CleanInvocation, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
      let linesBefore = invocation.journal().count
      let second = try invocation.clean()
      #expect(second.status == 0, "second clean: \(second.stdout)", sourceLocation: sourceLocation)
      #expect(
        second.stdout.hasPrefix("PLAN: 0 items"), "\(second.stdout)", sourceLocation: sourceLocation
      )
      #expect(invocation.journal().count == linesBefore, sourceLocation: sourceLocation)
    }

    /// Restores the quarantined `path` by the id the journal recorded and compares the tree.
    private func expectRestore(
      _ path: String, listing: [String], _ invocation: CleanInvocation,
      sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
      let line = invocation.journal().last {
        $0.item == path && $0.action == "quarantine" && $0.outcome == "done"
      }
      let id = try #require(line?.quarantineID, sourceLocation: sourceLocation)
      #expect(!HostState.exists(path), sourceLocation: sourceLocation)
      let restore = try invocation.run("restore", [id])
      #expect(restore.status == 0, "restore: \(restore.stderr)", sourceLocation: sourceLocation)
      #expect(try TreeDigest.listing(of: path) == listing, sourceLocation: sourceLocation)
    }

    /// Clean runs again and again with the default `--min-age` while a loop creates, runs,
    /// removes, imports and removes images for 20 rounds. Only the aged, hand-made orphans
    /// go; no round of the loop fails.
    @Test func cleanDuringBusyLoop() async throws {
      try await DockerDaemon.with { daemon in
        try daemon.prepareImages()
        let orphans = try (0..<3).map { _ in try daemon.makeOrphanedLayer() }
        let tarball = try BusyboxRootfs.tarball()
        let loop = BusyLoop(daemon: daemon, tarball: tarball, rounds: 20)
        let thread = Thread { loop.run() }
        thread.start()
        let invocation = CleanInvocation(daemon: daemon)
        var statuses: [Int32] = []
        while !loop.isFinished {
          statuses.append(try invocation.clean(minimumAge: "1h").status)
        }
        #expect(loop.failures == [])
        #expect(loop.completedRounds == 20)
        #expect(statuses.allSatisfy { $0 == 0 || $0 == 1 }, "clean exit statuses \(statuses)")
        for orphan in orphans {
          #expect(!HostState.exists(orphan.path))
          #expect(!HostState.exists(orphan.linkPath))
        }
        let final = try invocation.clean(minimumAge: "1h")
        #expect(final.status == 0, "\(final.stdout)")
        try AuditExpectations.expectFindings([], on: daemon)
        try DockerHealth.expectHealthy(daemon)
        invocation.expectJournalConfined()
      }
    }

    /// Clean killed with SIGKILL at each step of quarantining an item, then run again: the
    /// layer ends up quarantined exactly once and the images still run. Purge and restore
    /// killed halfway finish on their rerun.
    @Test func killedAtEachStep() async throws {
      try await DockerDaemon.with { daemon in
        try daemon.prepareImages()
        let invocation = CleanInvocation(daemon: daemon)
        let steps = [
          "before-intent", "after-intent", "after-manifest", "after-rename", "after-companions",
          "after-outcome",
        ]
        var quarantined: [HandMadeLayer] = []
        for step in steps {
          let orphan = try daemon.makeOrphanedLayer()
          let killed = try invocation.clean(killAt: step)
          #expect(killed.status == 128 + SIGKILL, "\(step): \(killed.stdout)\(killed.stderr)")
          let rerun = try invocation.clean()
          #expect(rerun.status == 0, "\(step) rerun: \(rerun.stdout)\(rerun.stderr)")
          #expect(!HostState.exists(orphan.path), "\(step)")
          #expect(!HostState.exists(orphan.linkPath), "\(step)")
          quarantined.append(orphan)
          #expect(try quarantineListing(invocation).count == quarantined.count, "\(step)")
        }
        try AuditExpectations.expectFindings([], on: daemon)
        try DockerHealth.expectHealthy(daemon)
        try expectRestoreSurvivesKill(quarantined[0], invocation)
        try expectPurgeSurvivesKills(invocation)
        invocation.expectJournalConfined()
      }
    }

    private func quarantineListing(_ invocation: CleanInvocation) throws -> [String] {
      let list = try invocation.run("restore", ["--list"])
      return list.stdout.split(separator: "\n").map(String.init)
        .filter { $0 != "No quarantined items." }
    }

    /// `restore` killed after moving the item back: the recovery of the next run, a purge
    /// that purges nothing, moves the companions back too.
    private func expectRestoreSurvivesKill(_ layer: HandMadeLayer, _ invocation: CleanInvocation)
      throws
    {
      let id = try #require(
        invocation.journal().last { $0.item == layer.path && $0.outcome == "done" }?.quarantineID)
      let killed = try Command.run(
        [AuditRun.binaryPath, "restore", id] + invocation.pathArguments,
        environment: ["LAYERSWEEP_TEST_KILL_AT": "restore-after-rename"], check: false)
      #expect(killed.status == 128 + SIGKILL)
      // Recovery runs under the lock at the start of clean, restore and purge.
      let recovery = try invocation.run("purge")
      #expect(recovery.status == 0, "\(recovery.stdout)\(recovery.stderr)")
      let listed = try quarantineListing(invocation)
      #expect(HostState.exists(layer.path))
      #expect(HostState.exists(layer.linkPath))
      #expect(!listed.contains { $0.hasPrefix(id + " ") })
    }

    /// `purge` killed at each of its steps, then run again, empties the trash.
    private func expectPurgeSurvivesKills(_ invocation: CleanInvocation) throws {
      for step in ["purge-after-intent", "purge-after-rename", "purge-after-remove"] {
        let killed = try Command.run(
          [AuditRun.binaryPath, "purge", "--retention", "0s"] + invocation.pathArguments,
          environment: ["LAYERSWEEP_TEST_KILL_AT": step], check: false)
        #expect(killed.status == 128 + SIGKILL, "\(step): \(killed.stdout)")
      }
      let rerun = try invocation.run("purge", ["--retention", "0s"])
      #expect(rerun.status == 0, "\(rerun.stdout)\(rerun.stderr)")
      #expect(try quarantineListing(invocation) == [])
      let trash = "\(invocation.daemon.dataRoot)/.layersweep-trash"
      #expect((try? FileManager.default.contentsOfDirectory(atPath: trash)) == [])
    }
  }
}

/// A loop of `docker create`, `run`, `rm`, `import` and `rmi` on its own thread, recording
/// every command that failed.
final class BusyLoop: @unchecked Sendable {
  let daemon: DockerDaemon
  let tarball: String
  let rounds: Int
  private let lock = NSLock()
  private var finished = false
  private var failed: [String] = []
  private var completed = 0

  init(daemon: DockerDaemon, tarball: String, rounds: Int) {
    self.daemon = daemon
    self.tarball = tarball
    self.rounds = rounds
  }

  var isFinished: Bool { lock.withLock { finished } }
  var failures: [String] { lock.withLock { failed } }
  var completedRounds: Int { lock.withLock { completed } }

  func run() {
    for round in 0..<rounds {
      let tag = "lsw/loop:\(round)"
      let commands = [
        ["create", "--name", "loop-\(round)", TestImage.multiLayer, "true"],
        ["run", "--rm", "--network", "none", TestImage.busybox, "true"],
        ["start", "--attach", "loop-\(round)"],
        ["rm", "loop-\(round)"],
        ["import", tarball, tag],
        ["run", "--rm", "--network", "none", tag, "true"],
        ["rmi", tag],
      ]
      for command in commands {
        let result = try? daemon.dockerResult(command, timeout: 120)
        if result?.status != 0 {
          lock.withLock {
            failed.append(
              "round \(round): docker \(command.joined(separator: " ")): "
                + (result?.stderr ?? "did not run"))
          }
        }
      }
      lock.withLock { completed += 1 }
    }
    lock.withLock { finished = true }
  }
}
