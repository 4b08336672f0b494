import Foundation
import Testing

@testable import LayersweepKit

@Suite struct DockerOverlay2StoreTests {
  typealias Fixture = DockerRootFixture

  /// An image with two layers and one exited container: a healthy store.
  private func healthyFixture() throws -> (Fixture, FixtureImage, FixtureContainer) {
    let fixture = try Fixture()
    let image = try fixture.addImage("app", layerCount: 2, tag: "app:1")
    let container = try fixture.addContainer("web", image: image)
    return (fixture, image, container)
  }

  @Test func healthyStoreHasNoFindings() throws {
    let (fixture, _, _) = try healthyFixture()
    let result = fixture.audit()
    #expect(result.status.isPresent)
    #expect(result.findings.isEmpty, "\(result.findingKeys)")
    #expect(result.errors.isEmpty, "\(result.errors)")
  }

  /// Docker on XFS keeps a block device node `overlay2/backingFsBlockDev` for quotactl(2).
  @Test func quotaDeviceNodeIsNotLayer() throws {
    let (fixture, _, _) = try healthyFixture()
    let node = fixture.overlay + "/backingFsBlockDev"
    try #require(mknod(node, S_IFBLK | 0o600, (7 << 8) | 200) == 0)  // loop200: major 7
    let result = fixture.audit()
    #expect(result.findings.isEmpty, "\(result.findingKeys)")
    #expect(result.errors.isEmpty, "\(result.errors)")
  }

  @Test func missingRootIsNotPresent() throws {
    var paths = HostPaths()
    paths.dockerRoot = "/nonexistent/layersweep-docker-root"
    let result = DockerOverlay2Store(paths: paths, queriesRuntime: false)
      .audit(host: HostSnapshot(), context: AuditContext(paths: paths))
    #expect(!result.status.isPresent)
    #expect(result.findings.isEmpty)
  }

  @Test func orphanedLayerIsCleanable() throws {
    let (fixture, _, _) = try healthyFixture()
    let orphan = Fixture.id("orphan")
    try fixture.addLayer(orphan)
    let result = fixture.audit()
    #expect(
      result.findingKeys == [
        FindingKey(.orphanedLayer, orphan, fixture.overlay + "/" + orphan, cleanable: true)
      ])
    let finding = try #require(result.findings.first)
    #expect(finding.reclaimableBytes ?? 0 > 0)
    #expect(finding.ageSeconds != nil)
  }

  @Test func mountedOrphanIsNotCleanable() throws {
    let (fixture, _, _) = try healthyFixture()
    let orphan = Fixture.id("still-mounted")
    let short = try fixture.addLayer(orphan)
    let mount = MountEntry(
      mountID: 900, parentID: 1, device: "0:99", root: "/", target: "/run/held/merged",
      fsType: "overlay", source: "overlay", vfsOptions: "rw",
      fsOptions: "rw,lowerdir=l/\(short),upperdir=/x/diff,workdir=/x/work")
    let host = HostSnapshot(
      namespaces: [MountNamespace(inode: 4_026_532_999, pids: [77], mounts: [mount], isHost: false)]
    )
    let result = fixture.audit(host: host)
    #expect(
      result.findingKeys == [
        FindingKey(.orphanedLayer, orphan, fixture.overlay + "/" + orphan, cleanable: false)
      ])
    #expect(
      result.findings.first?.evidence.last
        == "It is in use by the mount on /run/held/merged in mount namespace 4026532999.")
  }

  @Test func interruptedCreateLeavesInitPair() throws {
    let (fixture, image, _) = try healthyFixture()
    let mountID = Fixture.id("interrupted")
    try fixture.addLayer(mountID + "-init", lowers: image.cacheIDs.reversed())
    try fixture.addLayer(mountID, lowers: [mountID + "-init"] + image.cacheIDs.reversed())
    let result = fixture.audit()
    #expect(
      result.findingKeys == [
        FindingKey(.orphanedLayer, mountID, fixture.overlay + "/" + mountID, cleanable: true),
        FindingKey(
          .orphanedLayer, mountID + "-init", fixture.overlay + "/" + mountID + "-init",
          cleanable: true),
      ])
  }

  @Test func uncommittedImportIsReported() throws {
    let (fixture, _, _) = try healthyFixture()
    let cacheID = Fixture.id("killed-import")
    try fixture.addLayer(cacheID)
    try fixture.write("image/overlay2/layerdb/tmp/write-set-123/cache-id", cacheID)
    try fixture.write("image/overlay2/layerdb/tmp/write-set-123/diff", "sha256:" + cacheID)
    let result = fixture.audit()
    let writeSet = fixture.layerDatabase + "/tmp/write-set-123"
    #expect(
      result.findingKeys == [
        FindingKey(.orphanedLayer, cacheID, fixture.overlay + "/" + cacheID, cleanable: true),
        FindingKey(.staleRemoval, "write-set-123", writeSet, cleanable: true),
      ])
    let orphan = result.findings.first { $0.kind == .orphanedLayer }
    #expect(orphan?.details["transaction"] == "write-set-123")
  }

  @Test func buildCacheNamesAreNotCleanable() throws {
    let (fixture, _, _) = try healthyFixture()
    try fixture.write("buildkit/snapshots.db", "bbolt")
    try fixture.makeDirectory(fixture.overlay + "/q3x9buildkitsnapshot0001/diff")
    let result = fixture.audit()
    let path = fixture.overlay + "/q3x9buildkitsnapshot0001"
    #expect(
      result.findingKeys == [
        FindingKey(.orphanedLayer, "q3x9buildkitsnapshot0001", path, cleanable: false)
      ])
    #expect(result.findings.first?.evidence.last?.contains("was not read") == true)
  }

  @Test func buildCacheKeysAreReferences() throws {
    struct StubReader: BuildCacheReader {
      func references(databasePath: String) -> BuildCacheReferences {
        BuildCacheReferences(snapshotKeys: ["q3x9buildkitsnapshot0001"])
      }
    }
    let (fixture, _, _) = try healthyFixture()
    try fixture.write("buildkit/snapshots.db", "bbolt")
    try fixture.makeDirectory(fixture.overlay + "/q3x9buildkitsnapshot0001/diff")
    #expect(fixture.audit(buildCacheReader: StubReader()).findings.isEmpty)
  }

  @Test func realBuildCacheDatabaseIsRead() throws {
    let (fixture, _, _) = try healthyFixture()
    try fixture.makeDirectory(fixture.root + "/buildkit")
    try FileManager.default.copyItem(
      atPath: BBoltFixture.bundled("buildkit-snapshots.db").path,
      toPath: fixture.root + "/buildkit/snapshots.db")
    try fixture.makeDirectory(fixture.overlay + "/k1bq0n2s5v1h3x9d7e4m6a8c2/diff")
    let result = fixture.audit(buildCacheReader: BuildKitCacheReader())
    #expect(result.findings.isEmpty)
    #expect(result.errors.isEmpty)
  }

  @Test func corruptBuildCacheDatabaseIsAnError() throws {
    let (fixture, _, _) = try healthyFixture()
    try fixture.write("buildkit/snapshots.db", "not a bbolt file")
    try fixture.makeDirectory(fixture.overlay + "/q3x9buildkitsnapshot0001/diff")
    let result = fixture.audit(buildCacheReader: BuildKitCacheReader())
    let path = fixture.overlay + "/q3x9buildkitsnapshot0001"
    #expect(result.errors.map(\.path) == [fixture.root + "/buildkit/snapshots.db"])
    #expect(
      result.findingKeys == [
        FindingKey(.orphanedLayer, "q3x9buildkitsnapshot0001", path, cleanable: false)
      ])
  }

  @Test func deletedLayerDirectoryIsDangling() throws {
    let (fixture, image, container) = try healthyFixture()
    let top = try #require(image.cacheIDs.last)
    try fixture.remove("overlay2/\(top)")
    let result = fixture.audit()
    let chainPath = fixture.layerDatabase + "/sha256/\(image.chainIDs[1])/cache-id"
    let link = Fixture.shortID(top)
    #expect(
      result.findingKeys == [
        FindingKey(.danglingLayerMetadata, top, chainPath, cleanable: false),
        FindingKey(.brokenLayerLink, link, fixture.overlay + "/l/" + link, cleanable: false),
      ])
    let dangling = try #require(result.findings.first { $0.kind == .danglingLayerMetadata })
    #expect(dangling.details["images"] == "sha256:\(image.id) (app:1)")
    #expect(dangling.details["containers"] == "\(container.id) (web)")
  }

  @Test func missingMountLayerIsDangling() throws {
    let (fixture, _, container) = try healthyFixture()
    try fixture.remove("overlay2/\(container.mountID)")
    try fixture.remove("overlay2/l/\(Fixture.shortID(container.mountID))")
    let result = fixture.audit()
    let path = fixture.layerDatabase + "/mounts/\(container.id)/mount-id"
    #expect(
      result.findingKeys == [
        FindingKey(.danglingLayerMetadata, container.mountID, path, cleanable: false)
      ])
  }

  @Test func deletedShortLinkIsBroken() throws {
    let (fixture, image, container) = try healthyFixture()
    let base = image.cacheIDs[0]
    let link = Fixture.shortID(base)
    try fixture.remove("overlay2/l/\(link)")
    let result = fixture.audit()
    var expected: Set<FindingKey> = [
      FindingKey(.brokenLayerLink, link, fixture.overlay + "/l/" + link, cleanable: false)
    ]
    for layer in [image.cacheIDs[1], container.mountID, container.mountID + "-init"] {
      expected.insert(
        FindingKey(.brokenLayerLink, layer, fixture.overlay + "/\(layer)/lower", cleanable: false))
    }
    #expect(result.findingKeys == expected)
  }

  @Test func malformedLinkFileIsBroken() throws {
    let (fixture, image, _) = try healthyFixture()
    let base = image.cacheIDs[0]
    try fixture.write("overlay2/\(base)/link", "not-a-link")
    let result = fixture.audit()
    #expect(
      result.findingKeys == [
        FindingKey(.brokenLayerLink, base, fixture.overlay + "/\(base)/link", cleanable: false)
      ])
  }

  @Test func shortLinkToMissingLayerIsBroken() throws {
    let (fixture, _, _) = try healthyFixture()
    try FileManager.default.createSymbolicLink(
      atPath: fixture.overlay + "/l/ZZZZZZZZZZZZZZZZZZZZZZZZZZ",
      withDestinationPath: "../\(Fixture.id("gone"))/diff")
    let result = fixture.audit()
    let path = fixture.overlay + "/l/ZZZZZZZZZZZZZZZZZZZZZZZZZZ"
    #expect(
      result.findingKeys == [
        FindingKey(.brokenLayerLink, "ZZZZZZZZZZZZZZZZZZZZZZZZZZ", path, cleanable: false)
      ])
  }

  @Test func emptyLowerFileIsBroken() throws {
    let (fixture, image, _) = try healthyFixture()
    let top = image.cacheIDs[1]
    try fixture.write("overlay2/\(top)/lower", "")
    let result = fixture.audit()
    #expect(
      result.findingKeys == [
        FindingKey(.brokenLayerLink, top, fixture.overlay + "/\(top)/lower", cleanable: false)
      ])
  }

  @Test func failedRemovalLeavesRemovingEntry() throws {
    let (fixture, _, _) = try healthyFixture()
    let cacheID = Fixture.id("immutable")
    try fixture.makeDirectory(fixture.overlay + "/\(cacheID)/diff")
    let name = Fixture.id("removed-chain") + "-" + Fixture.id("random") + "-removing"
    try fixture.write("image/overlay2/layerdb/sha256/\(name)/cache-id", cacheID)
    let result = fixture.audit()
    let path = fixture.layerDatabase + "/sha256/\(name)"
    #expect(result.findingKeys == [FindingKey(.staleRemoval, name, path, cleanable: true)])
    #expect(result.findings.first?.details["layer_id"] == cacheID)
  }

  @Test func chainWithoutMandatoryFilesIsStale() throws {
    let (fixture, _, _) = try healthyFixture()
    let chainID = Fixture.id("half-written")
    try fixture.makeDirectory(fixture.layerDatabase + "/sha256/\(chainID)")
    let result = fixture.audit()
    let path = fixture.layerDatabase + "/sha256/\(chainID)"
    #expect(
      result.findingKeys == [FindingKey(.staleRemoval, "sha256:" + chainID, path, cleanable: true)])
  }

  @Test func chainWithoutImageIsUnreferenced() throws {
    let (fixture, _, _) = try healthyFixture()
    let cacheID = Fixture.id("leftover")
    let chainID = Fixture.id("leftover-chain")
    try fixture.addLayer(cacheID)
    try fixture.addChain(chainID, cacheID: cacheID, diffID: chainID, parent: nil)
    let result = fixture.audit()
    let path = fixture.layerDatabase + "/sha256/\(chainID)"
    #expect(
      result.findingKeys == [
        FindingKey(.unreferencedLayerChain, "sha256:" + chainID, path, cleanable: false)
      ])
  }

  @Test func mountWithoutContainerIsOrphaned() throws {
    let (fixture, _, container) = try healthyFixture()
    try fixture.remove("containers/\(container.id)")
    let result = fixture.audit()
    let path = fixture.layerDatabase + "/mounts/\(container.id)"
    #expect(
      result.findingKeys == [FindingKey(.orphanedContainer, container.id, path, cleanable: false)])
    #expect(result.containers.isEmpty)
  }

  @Test func deadContainerIsOrphaned() throws {
    let fixture = try Fixture()
    let image = try fixture.addImage("app", layerCount: 1)
    let container = try fixture.addContainer(
      "stuck", image: image, state: FixtureState.deadAfterFailedRemoval)
    let result = fixture.audit()
    let path = fixture.root + "/containers/\(container.id)"
    #expect(
      result.findingKeys == [FindingKey(.orphanedContainer, container.id, path, cleanable: false)])
    #expect(result.containers.first?.recordedState == .dead)
  }

  @Test func containerWithoutMountIsOrphaned() throws {
    let (fixture, _, container) = try healthyFixture()
    try fixture.remove("image/overlay2/layerdb/mounts/\(container.id)")
    let result = fixture.audit()
    let path = fixture.root + "/containers/\(container.id)"
    let expected: Set<FindingKey> = [
      FindingKey(.orphanedContainer, container.id, path, cleanable: false),
      FindingKey(
        .orphanedLayer, container.mountID, fixture.overlay + "/" + container.mountID,
        cleanable: true),
      FindingKey(
        .orphanedLayer, container.mountID + "-init",
        fixture.overlay + "/" + container.mountID + "-init", cleanable: true),
    ]
    #expect(result.findingKeys == expected)
  }

  @Test func containerWithoutConfigIsOrphaned() throws {
    let (fixture, _, container) = try healthyFixture()
    try fixture.remove("containers/\(container.id)/config.v2.json")
    let result = fixture.audit()
    let path = fixture.root + "/containers/\(container.id)"
    #expect(
      result.findingKeys == [FindingKey(.orphanedContainer, container.id, path, cleanable: false)])
  }

  @Test func runningContainerRecord() throws {
    let fixture = try Fixture()
    let image = try fixture.addImage("app", layerCount: 1)
    let key = fixture.paths.dockerExecRoot + "/netns/abcdef012345"
    let container = try fixture.addContainer(
      "api", image: image, state: FixtureState.running,
      extraConfig: ",\"ShmPath\":\"\",\"NetworkSettings\":{\"SandboxKey\":\"\(key)\"}")
    let record = try #require(fixture.audit().containers.first)
    #expect(record.id == container.id)
    #expect(record.runtime == "docker")
    #expect(record.name == "api")
    #expect(record.recordedState == .running)
    #expect(record.pid == 4242)
    let started = try #require(record.startedAt)
    #expect(
      started.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true))
        == "2026-12-04T15:42:28.022")
    #expect(
      record.mountPoints == [
        fixture.overlay + "/\(container.mountID)/merged",
        fixture.root + "/containers/\(container.id)/mounts/shm",
        key,
      ])
  }

  @Test func resultListsMountRoots() throws {
    let (fixture, image, _) = try healthyFixture()
    let result = fixture.audit()
    #expect(
      result.mountRoots == [
        fixture.overlay, fixture.root + "/containers", fixture.paths.dockerExecRoot + "/netns",
      ])
    #expect(result.layerRoot == fixture.overlay)
    #expect(
      result.layerDiffDirectories[image.cacheIDs[0]] == fixture.overlay
        + "/\(image.cacheIDs[0])/diff")
  }
}
