import Foundation
import Testing

@testable import LayersweepKit

@Suite struct CleanExecutorTests {
  static func executor(
    _ fixture: CleanFixture, remover: any Remover = FileSystemRemover(), journal: Journal,
    mounts: [MountEntry]? = nil, cgroupRoot: String? = nil
  ) -> CleanExecutor {
    var paths = HostPaths()
    paths.dockerRoot = fixture.dockerRoot
    paths.dockerExecRoot = fixture.directory + "/run-docker"
    paths.cgroupRoot = cgroupRoot ?? fixture.directory + "/cgroup"
    let host = HostReverifier(
      mountRoots: [paths.dockerRoot, paths.dockerExecRoot], cgroupRoot: paths.cgroupRoot,
      proc: "/proc")
    let readMounts: (() throws -> [MountEntry])? = mounts.map { table in { table } }
    return CleanExecutor(
      remover: remover, journal: journal,
      targets: [DockerOverlay2Store(paths: paths, buildCacheReader: BuildKitCacheReader())],
      host: host, minimumAge: 3_600, readMounts: readMounts)
  }

  static func plan(_ findings: [Finding]) -> CleanPlan {
    CleanPlan.make(findings, filter: PlanFilter())
  }

  @Test func quarantinesLayerAndJournalsIt() throws {
    let fixture = try CleanFixture()
    try fixture.makeLayer(LayerID.orphan, shortID: "AAAAAAAAAAAAAAAAAAAAAAAAAA")
    let journal = try Journal(path: fixture.journalPath)

    let results = Self.executor(fixture, journal: journal).execute(
      Self.plan([fixture.orphanedLayer(LayerID.orphan, bytes: 42)]))

    #expect(results.map(\.outcome) == [.done])
    let id = try #require(results.first?.quarantineID)
    let entry = Quarantine.trashDirectory(root: fixture.dockerRoot) + "/" + id
    #expect(
      fixture.listing(entry) == [
        "companion-0", "item", "item/diff", "item/diff/a", "item/diff/a/b", "item/diff/a/b/file",
        "item/link", "manifest.json",
      ])
    #expect(fixture.listing(fixture.dockerRoot + "/overlay2") == ["l"])
    let lines = try Journal.read(fixture.journalPath)
    #expect(lines.map(\.outcome) == ["intent", "done"])
    #expect(lines.map(\.action) == ["quarantine", "quarantine"])
    #expect(
      lines.map(\.item)
        == Array(repeating: fixture.dockerRoot + "/overlay2/\(LayerID.orphan)", count: 2))
    #expect(lines.map(\.kind) == ["orphaned-layer", "orphaned-layer"])
    #expect(lines.map(\.store) == ["docker-overlay2", "docker-overlay2"])
    #expect(lines.map(\.bytes) == [42, 42])
    #expect(lines.map(\.quarantineID) == [id, id])
    #expect(lines.map(\.error) == [nil, nil])
  }

  @Test func dryRunChangesNothing() throws {
    let fixture = try CleanFixture()
    try fixture.makeLayer(LayerID.orphan, shortID: "AAAAAAAAAAAAAAAAAAAAAAAAAA")
    let before = fixture.listing(fixture.directory)
    let remover = RecordingRemover()

    let results = Self.executor(fixture, remover: remover, journal: try Journal(path: nil))
      .execute(Self.plan([fixture.orphanedLayer(LayerID.orphan)]))

    #expect(results.map(\.outcome) == [.done])
    #expect(fixture.listing(fixture.directory) == before)
    let entry =
      Quarantine.trashDirectory(root: fixture.dockerRoot) + "/"
      + (results.first?.quarantineID ?? "")
    #expect(
      remover.actions == [
        .createDirectory(path: Quarantine.trashDirectory(root: fixture.dockerRoot)),
        .createDirectory(path: entry),
        .writeFile(path: entry + "/manifest.json"),
        .rename(
          source: fixture.dockerRoot + "/overlay2/\(LayerID.orphan)", destination: entry + "/item"),
        .rename(
          source: fixture.dockerRoot + "/overlay2/l/AAAAAAAAAAAAAAAAAAAAAAAAAA",
          destination: entry + "/companion-0"),
      ])
  }

  @Test func symlinkedLayerIsRejected() throws {
    let fixture = try CleanFixture()
    try fixture.write("keep", to: fixture.directory + "/outside/file")
    try FileManager.default.createDirectory(
      atPath: fixture.dockerRoot + "/overlay2", withIntermediateDirectories: true)
    try FileManager.default.createSymbolicLink(
      atPath: fixture.dockerRoot + "/overlay2/\(LayerID.evil)",
      withDestinationPath: fixture.directory + "/outside")
    try fixture.makeOld(fixture.dockerRoot + "/overlay2/\(LayerID.evil)")
    let journal = try Journal(path: fixture.journalPath)

    let results = Self.executor(fixture, journal: journal).execute(
      Self.plan([fixture.orphanedLayer(LayerID.evil)]))

    #expect(results.map(\.outcome) == [.skipped])
    #expect(results.first?.message?.contains("is a symbolic link") == true)
    #expect(fixture.listing(fixture.directory + "/outside") == ["file"])
    #expect(fixture.listing(fixture.dockerRoot + "/overlay2") == [LayerID.evil])
    #expect(try Journal.read(fixture.journalPath).map(\.outcome) == ["skipped"])
  }

  @Test(arguments: ["bind", "tmpfs"])
  func mountInsideLayerIsSkipped(mountType: String) throws {
    let fixture = try CleanFixture()
    let layer = try fixture.makeLayer(LayerID.orphan, shortID: "AAAAAAAAAAAAAAAAAAAAAAAAAA")
    let mountPoint = layer + "/diff/a/mnt"
    try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
    try fixture.write("keep", to: fixture.directory + "/outside/file")
    let source = mountType == "bind" ? "--bind \(fixture.directory)/outside" : "-t tmpfs tmpfs"
    try CleanFixture.shell("mount \(source) \(mountPoint)")
    try fixture.makeOld(layer)

    let results = Self.executor(fixture, journal: try Journal(path: nil)).execute(
      Self.plan([fixture.orphanedLayer(LayerID.orphan)]))

    #expect(results.map(\.outcome) == [.skipped])
    #expect(results.first?.message?.contains(mountPoint) == true)
    #expect(fixture.listing(fixture.dockerRoot + "/overlay2").contains(LayerID.orphan))
    #expect(try MountInfoReader.readHostTable().contains { $0.target == mountPoint })
  }

  @Test func bindMountOfLayerDirectoryIsSkipped() throws {
    let fixture = try CleanFixture()
    let layer = try fixture.makeLayer(LayerID.orphan, shortID: "AAAAAAAAAAAAAAAAAAAAAAAAAA")
    let elsewhere = fixture.directory + "/elsewhere"
    try FileManager.default.createDirectory(atPath: elsewhere, withIntermediateDirectories: true)
    try CleanFixture.shell("mount --bind \(layer)/diff/a \(elsewhere)")
    try fixture.makeOld(layer)

    let results = Self.executor(fixture, journal: try Journal(path: nil)).execute(
      Self.plan([fixture.orphanedLayer(LayerID.orphan)]))

    #expect(results.map(\.outcome) == [.skipped])
    #expect(results.first?.message == "\(elsewhere) is a bind mount of a directory inside \(layer)")
  }

  @Test(arguments: ["cache-id", "mount-id", "init-id", "lower", "buildkit"])
  func referencedLayerIsSkipped(reference: String) throws {
    let fixture = try CleanFixture()
    try fixture.makeLayer(LayerID.orphan, shortID: "AAAAAAAAAAAAAAAAAAAAAAAAAA")
    let layerdb = fixture.dockerRoot + "/image/overlay2/layerdb"
    switch reference {
    case "cache-id":
      try fixture.write(LayerID.orphan, to: layerdb + "/sha256/\(LayerID.chain1)/cache-id")
    case "lower":
      try fixture.write(
        "l/AAAAAAAAAAAAAAAAAAAAAAAAAA", to: fixture.dockerRoot + "/overlay2/\(LayerID.child)/lower")
    case "buildkit":
      try fixture.write(
        "\0\0\(LayerID.orphan)\0", to: fixture.dockerRoot + "/buildkit/snapshots.db")
    default:
      try fixture.write(
        "\(LayerID.orphan)\n", to: layerdb + "/mounts/\(LayerID.container1)/\(reference)")
    }
    try fixture.makeOld(fixture.dockerRoot + "/overlay2/\(LayerID.orphan)")

    let results = Self.executor(fixture, journal: try Journal(path: nil)).execute(
      Self.plan([fixture.orphanedLayer(LayerID.orphan)]))

    let path = "\(fixture.dockerRoot)/overlay2/\(LayerID.orphan)"
    let unreported = "a fresh read of \(fixture.dockerRoot) no longer reports \(path) as garbage"
    let reasons = [
      "cache-id": unreported, "mount-id": unreported, "init-id": unreported,
      "lower": "layer \(LayerID.child) lists l/AAAAAAAAAAAAAAAAAAAAAAAAAA, the short link of "
        + "\(path), in its lower file",
      "buildkit": "\(fixture.dockerRoot)/buildkit/snapshots.db exists but could not be read, "
        + "so it may name \(path)",
    ]
    #expect(results.map(\.outcome) == [.skipped])
    #expect(results.first?.message == reasons[reference])
    #expect(fixture.listing(fixture.dockerRoot + "/overlay2").contains(LayerID.orphan))
  }

  /// Writes a `-removing` layerdb entry whose `cache-id` names `LayerID.orphan` and cleans
  /// its stale-removal finding.
  static func cleanRemovingEntry(_ fixture: CleanFixture) throws -> [ItemResult] {
    let entry =
      fixture.dockerRoot + "/image/overlay2/layerdb/sha256/\(LayerID.chain1)-1234-removing"
    try fixture.write(LayerID.orphan, to: entry + "/cache-id")
    try fixture.makeOld(entry)
    let finding = Finding(
      kind: .staleRemoval, store: "docker-overlay2", id: (entry as NSString).lastPathComponent,
      path: entry, ageSeconds: 172_800, cleanable: true)
    return Self.executor(fixture, journal: try Journal(path: nil)).execute(Self.plan([finding]))
  }

  /// A `-removing` layerdb entry goes to quarantine with the layer directory its `cache-id`
  /// names, and that layer's short link, because nothing else names the directory.
  @Test func removingEntryTakesItsLayer() throws {
    let fixture = try CleanFixture()
    let layer = try fixture.makeLayer(LayerID.orphan, shortID: "AAAAAAAAAAAAAAAAAAAAAAAAAA")
    let results = try Self.cleanRemovingEntry(fixture)

    #expect(results.map(\.outcome) == [.done])
    let id = try #require(results.first?.quarantineID)
    let manifest = try #require(
      Quarantine.list(roots: [fixture.dockerRoot]).first { $0.manifest.id == id }?.manifest)
    #expect(
      manifest.companions == [layer, fixture.dockerRoot + "/overlay2/l/AAAAAAAAAAAAAAAAAAAAAAAAAA"])
    #expect(fixture.listing(fixture.dockerRoot + "/overlay2") == ["l"])
  }

  /// The layer of a `-removing` entry stays when a committed chain names it too.
  @Test func removingEntryLeavesSharedLayer() throws {
    let fixture = try CleanFixture()
    try fixture.makeLayer(LayerID.orphan, shortID: "AAAAAAAAAAAAAAAAAAAAAAAAAA")
    let layerdb = fixture.dockerRoot + "/image/overlay2/layerdb/sha256"
    for file in ["cache-id", "diff", "size"] {
      try fixture.write(LayerID.orphan, to: layerdb + "/\(LayerID.used)/\(file)")
    }

    let results = try Self.cleanRemovingEntry(fixture)

    #expect(results.map(\.outcome) == [.done])
    #expect(fixture.listing(fixture.dockerRoot + "/overlay2").contains(LayerID.orphan))
  }

  /// A `-removing` entry whose layer directory has a mount inside is skipped as a whole.
  @Test func removingEntryWithMountedLayerIsSkipped() throws {
    let fixture = try CleanFixture()
    let layer = try fixture.makeLayer(LayerID.orphan, shortID: "AAAAAAAAAAAAAAAAAAAAAAAAAA")
    try CleanFixture.shell("mount -t tmpfs tmpfs \(layer)/diff/a")
    try fixture.makeOld(layer)

    let results = try Self.cleanRemovingEntry(fixture)

    #expect(results.map(\.outcome) == [.skipped])
    #expect(results.first?.message?.hasPrefix("its layer directory \(layer) is in use") == true)
    #expect(results.first?.message?.contains("the mount on \(layer)/diff/a") == true)
    #expect(fixture.listing(fixture.dockerRoot + "/overlay2").contains(LayerID.orphan))
  }

  @Test func layerChangedSincePlanIsSkipped() throws {
    let fixture = try CleanFixture()
    let layer = try fixture.makeLayer(LayerID.orphan, shortID: "AAAAAAAAAAAAAAAAAAAAAAAAAA")
    let plan = Self.plan([fixture.orphanedLayer(LayerID.orphan)])
    try fixture.write("new", to: layer + "/committed")

    let results = Self.executor(fixture, journal: try Journal(path: nil)).execute(plan)

    #expect(results.map(\.outcome) == [.skipped])
    #expect(results.first?.message == "\(layer) was modified since the plan was made")
  }

  @Test(arguments: ["../../etc", "/etc", "a\0b", String(repeating: "a", count: 4096)])
  func craftedLayerIDIsSkipped(id: String) throws {
    let fixture = try CleanFixture()
    try fixture.makeLayer(LayerID.real, shortID: "AAAAAAAAAAAAAAAAAAAAAAAAAA")
    let before = fixture.listing(fixture.directory)
    var finding = fixture.orphanedLayer(id)
    finding.path = id.hasPrefix("/") ? id : fixture.dockerRoot + "/overlay2/" + id

    let results = Self.executor(fixture, journal: try Journal(path: nil)).execute(
      Self.plan([finding]))

    #expect(results.map(\.outcome) == [.skipped])
    #expect(fixture.listing(fixture.directory) == before)
  }

  @Test func deadMountIsUnmounted() throws {
    let fixture = try CleanFixture()
    let target = fixture.dockerRoot + "/containers/c1/mounts/shm"
    try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
    try CleanFixture.shell("mount -t tmpfs shm \(target)")
    let finding = Finding(
      kind: .deadMount, store: "docker-overlay2", id: "c1", path: target, ageSeconds: 7_200,
      cleanable: true)

    let results = Self.executor(fixture, journal: try Journal(path: nil)).execute(
      Self.plan([finding]))

    #expect(results.map(\.outcome) == [.done])
    #expect(try !MountInfoReader.readHostTable().contains { $0.target == target })
  }

  @Test func deadMountOutsideStoreIsSkipped() throws {
    let fixture = try CleanFixture()
    let target = fixture.directory + "/not-a-store/shm"
    try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
    try CleanFixture.shell("mount -t tmpfs shm \(target)")
    let finding = Finding(
      kind: .deadMount, store: "docker-overlay2", id: "c1", path: target, ageSeconds: 7_200,
      cleanable: true)

    let results = Self.executor(fixture, journal: try Journal(path: nil)).execute(
      Self.plan([finding]))

    #expect(results.map(\.outcome) == [.skipped])
    #expect(try MountInfoReader.readHostTable().contains { $0.target == target })
  }
}
