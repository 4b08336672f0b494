import Foundation
import Testing

@testable import LayersweepKit

/// End-to-end runs of the built `layersweep` binary against a temporary Docker root.
@Suite struct CleanCommandTests {

  static func arguments(_ fixture: CleanFixture, _ command: String, _ extra: [String] = [])
    -> [String]
  {
    [
      command, "--docker-root", fixture.dockerRoot, "--journal", fixture.journalPath, "--lock",
      fixture.lockPath,
    ] + extra
  }

  /// Two orphaned layers beside a layer that layerdb references, and a report naming all three
  /// as orphaned; the referenced one must survive re-verification.
  static func makeStore(_ fixture: CleanFixture) throws -> String {
    try fixture.makeLayer(LayerID.orphan1, shortID: "AAAAAAAAAAAAAAAAAAAAAAAAAA")
    try fixture.makeLayer(LayerID.orphan2, shortID: "BBBBBBBBBBBBBBBBBBBBBBBBBB")
    try fixture.makeLayer(LayerID.used, shortID: "CCCCCCCCCCCCCCCCCCCCCCCCCC")
    let chain = fixture.dockerRoot + "/image/overlay2/layerdb/sha256/" + LayerID.chain1
    try fixture.write(LayerID.used, to: chain + "/cache-id")
    try fixture.write("sha256:" + LayerID.chain1, to: chain + "/diff")
    try fixture.write("1", to: chain + "/size")
    return try fixture.writeReport(
      [LayerID.orphan1, LayerID.orphan2, LayerID.used].map { fixture.orphanedLayer($0) })
  }

  @Test func secondRunExitsWithLockHolder() throws {
    let fixture = try CleanFixture()
    let report = try Self.makeStore(fixture)
    let lock = try InstanceLock(path: fixture.lockPath)

    let run = try ProcessRun.run(
      ProcessRun.layersweepPath, Self.arguments(fixture, "clean", ["--yes", "--report", report]))

    #expect(run.status == 2)
    #expect(
      run.stderr
        == "error: another layersweep run holds the lock \(fixture.lockPath) (held by process "
        + "\(getpid())); wait for it to finish, or pass --lock to use a different lock file\n")
    #expect(fixture.listing(fixture.dockerRoot + "/overlay2").contains(LayerID.orphan1))
    withExtendedLifetime(lock) {}
  }

  @Test func cleanSkipsReferencedLayerAndExitsOne() throws {
    let fixture = try CleanFixture()
    let report = try Self.makeStore(fixture)

    let run = try ProcessRun.run(
      ProcessRun.layersweepPath, Self.arguments(fixture, "clean", ["--yes", "--report", report]))

    #expect(run.status == 1)
    #expect(
      run.stdout.contains(
        "skipped quarantine orphaned-layer \(LayerID.used): a fresh audit does not report it "
          + "as cleanable"))
    #expect(fixture.listing(fixture.dockerRoot + "/overlay2") == Self.survivors)
  }

  @Test func dryRunChangesNothing() throws {
    let fixture = try CleanFixture()
    let report = try Self.makeStore(fixture)
    let before = fixture.listing(fixture.directory)

    let run = try ProcessRun.run(
      ProcessRun.layersweepPath,
      Self.arguments(fixture, "clean", ["--dry-run", "--report", report]))

    #expect(run.status == 1)
    #expect(run.stdout.contains("DRY RUN (nothing was changed):"))
    #expect(fixture.listing(fixture.directory) == before)
  }

  @Test func withoutTerminalOrYesExitsTwo() throws {
    let fixture = try CleanFixture()
    let report = try Self.makeStore(fixture)

    let run = try ProcessRun.run(
      ProcessRun.layersweepPath, Self.arguments(fixture, "clean", ["--report", report]))

    #expect(run.status == 2)
    #expect(run.stderr.contains("pass --yes to run unattended"))
    #expect(fixture.listing(fixture.dockerRoot + "/overlay2").contains(LayerID.orphan1))
  }

  @Test(arguments: [
    ["--min-age", "soon"], ["--only", "no-such-kind"], ["--retention", "-1d"], ["--bogus"],
  ])
  func badOptionExitsSixtyFour(extra: [String]) throws {
    let fixture = try CleanFixture()
    let run = try ProcessRun.run(ProcessRun.layersweepPath, Self.arguments(fixture, "clean", extra))
    #expect(run.status == 64)
    #expect(run.stderr.hasPrefix("Error: "))
  }

  /// The entries left in `overlay2` once both orphans are quarantined.
  static let survivors = [
    LayerID.used, "\(LayerID.used)/diff", "\(LayerID.used)/diff/a", "\(LayerID.used)/diff/a/b",
    "\(LayerID.used)/diff/a/b/file", "\(LayerID.used)/link", "l", "l/CCCCCCCCCCCCCCCCCCCCCCCCCC",
  ]

  static let cleanSteps = [
    "before-intent", "after-intent", "after-manifest", "after-rename", "after-companions",
    "after-outcome", "before-intent@2", "after-rename@2",
  ]

  @Test(arguments: cleanSteps)
  func killedCleanIsFinishedByRerun(step: String) throws {
    let fixture = try CleanFixture()
    let report = try Self.makeStore(fixture)
    let arguments = Self.arguments(fixture, "clean", ["--yes", "--report", report])

    let killed = try ProcessRun.run(
      ProcessRun.layersweepPath, arguments,
      environment: [FaultInjection.environmentVariable: step])
    #expect(killed.wasSignaled)
    #expect(killed.status == SIGKILL)
    let rerun = try ProcessRun.run(ProcessRun.layersweepPath, arguments)

    #expect(rerun.status == 1, "\(rerun.stdout)\(rerun.stderr)")
    #expect(fixture.listing(fixture.dockerRoot + "/overlay2") == Self.survivors)
    try Self.expectConsistentQuarantine(fixture, originals: [LayerID.orphan1, LayerID.orphan2])
  }

  @Test(arguments: ["purge-after-intent", "purge-after-rename", "purge-after-remove"])
  func killedPurgeIsFinishedByRerun(step: String) throws {
    let fixture = try CleanFixture()
    let report = try Self.makeStore(fixture)
    let clean = try ProcessRun.run(
      ProcessRun.layersweepPath, Self.arguments(fixture, "clean", ["--yes", "--report", report]))
    #expect(clean.status == 1)
    let purge = Self.arguments(fixture, "purge", ["--retention", "0s"])

    let killed = try ProcessRun.run(
      ProcessRun.layersweepPath, purge, environment: [FaultInjection.environmentVariable: step])
    #expect(killed.wasSignaled)
    let rerun = try ProcessRun.run(ProcessRun.layersweepPath, purge)

    #expect(rerun.status == 0, "\(rerun.stdout)\(rerun.stderr)")
    #expect(fixture.listing(Quarantine.trashDirectory(root: fixture.dockerRoot)) == [])
    #expect(fixture.listing(fixture.dockerRoot + "/overlay2") == Self.survivors)
    try Self.expectEveryIntentClosed(fixture)
  }

  @Test func killedRestoreIsFinishedByNextRun() throws {
    let fixture = try CleanFixture()
    let report = try Self.makeStore(fixture)
    let clean = try ProcessRun.run(
      ProcessRun.layersweepPath, Self.arguments(fixture, "clean", ["--yes", "--report", report]))
    #expect(clean.status == 1)
    let id = try #require(
      Quarantine.list(roots: [fixture.dockerRoot]).first {
        $0.manifest.findingID == LayerID.orphan1
      }?
      .manifest.id)

    let killed = try ProcessRun.run(
      ProcessRun.layersweepPath, Self.arguments(fixture, "restore", [id]),
      environment: [FaultInjection.environmentVariable: "restore-after-rename"])
    #expect(killed.wasSignaled)
    let rerun = try ProcessRun.run(
      ProcessRun.layersweepPath, Self.arguments(fixture, "purge", ["--retention", "7d"]))

    #expect(rerun.status == 0, "\(rerun.stdout)\(rerun.stderr)")
    let overlay = fixture.listing(fixture.dockerRoot + "/overlay2")
    #expect(overlay.contains("\(LayerID.orphan1)/diff/a/b/file"))
    #expect(overlay.contains("l/AAAAAAAAAAAAAAAAAAAAAAAAAA"))
    #expect(
      Quarantine.list(roots: [fixture.dockerRoot]).map(\.manifest.findingID) == [LayerID.orphan2])
    try Self.expectEveryIntentClosed(fixture)
  }

  /// Checks that each original is in exactly one complete trash entry with its companion,
  /// and that every journal intent has a later outcome.
  static func expectConsistentQuarantine(_ fixture: CleanFixture, originals: [String]) throws {
    let entries = Quarantine.list(roots: [fixture.dockerRoot])
    #expect(entries.map(\.manifest.findingID).sorted() == originals)
    for entry in entries {
      let directory = Quarantine.trashDirectory(root: fixture.dockerRoot) + "/" + entry.manifest.id
      #expect(
        fixture.listing(directory).filter { !$0.contains("/") } == [
          "companion-0", "item", "manifest.json",
        ])
    }
    let names = fixture.listing(Quarantine.trashDirectory(root: fixture.dockerRoot))
    #expect(names.filter { !$0.contains("/") }.count == originals.count)
    try expectEveryIntentClosed(fixture)
  }

  static func expectEveryIntentClosed(_ fixture: CleanFixture) throws {
    var open: [String: JournalEntry] = [:]
    for line in try Journal.read(fixture.journalPath) {
      let key = line.quarantineID ?? line.item
      if line.outcome == "intent" { open[key] = line } else { open[key] = nil }
    }
    #expect(open.isEmpty, "intents without an outcome: \(open.keys.sorted())")
  }
}
