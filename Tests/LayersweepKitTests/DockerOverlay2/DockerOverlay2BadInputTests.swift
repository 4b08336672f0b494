import Foundation
import Testing

@testable import LayersweepKit

@Suite struct DockerOverlay2BadInputTests {
  typealias Fixture = DockerRootFixture

  /// A healthy store plus one unreferenced Docker-shaped layer, whose finding is cleanable
  /// only while every reference could be read.
  private func fixtureWithOrphan() throws -> (Fixture, FixtureImage, FixtureContainer, String) {
    let fixture = try Fixture()
    let image = try fixture.addImage("app", layerCount: 2, tag: "app:1")
    let container = try fixture.addContainer("web", image: image)
    let orphan = Fixture.id("orphan")
    try fixture.addLayer(orphan)
    return (fixture, image, container, orphan)
  }

  private func orphanKey(_ fixture: Fixture, _ orphan: String, cleanable: Bool) -> FindingKey {
    FindingKey(.orphanedLayer, orphan, fixture.overlay + "/" + orphan, cleanable: cleanable)
  }

  @Test(arguments: [
    ("../../etc", "'../../etc'"),
    ("/etc/passwd", "'/etc/passwd'"),
    ("abc\u{0}def", "'abc\\x00def'"),
    (String(repeating: "a", count: 4096), "(4096 characters)"),
  ])
  func craftedCacheIDIsRejected(cacheID: String, shown: String) throws {
    let (fixture, image, _, orphan) = try fixtureWithOrphan()
    let file = fixture.layerDatabase + "/sha256/\(image.chainIDs[0])/cache-id"
    try fixture.write("image/overlay2/layerdb/sha256/\(image.chainIDs[0])/cache-id", cacheID)
    let result = fixture.audit()
    let base = image.cacheIDs[0]
    #expect(
      result.findingKeys == [
        orphanKey(fixture, orphan, cleanable: false),
        FindingKey(.orphanedLayer, base, fixture.overlay + "/" + base, cleanable: false),
      ])
    #expect(result.errors.map(\.path) == [file])
    #expect(result.errors.first?.message.contains(shown) == true)
  }

  @Test func malformedConfigBlocksCleaning() throws {
    let (fixture, _, container, orphan) = try fixtureWithOrphan()
    let file = fixture.root + "/containers/\(container.id)/config.v2.json"
    try fixture.write("containers/\(container.id)/config.v2.json", "{\"ID\": 42, ]")
    let result = fixture.audit()
    #expect(
      result.findingKeys == [
        orphanKey(fixture, orphan, cleanable: false),
        FindingKey(
          .orphanedContainer, container.id, fixture.root + "/containers/\(container.id)",
          cleanable: false),
      ])
    #expect(result.errors.map(\.path) == [file])
  }

  @Test func truncatedConfigBlocksCleaning() throws {
    let (fixture, _, container, orphan) = try fixtureWithOrphan()
    let path = fixture.root + "/containers/\(container.id)/config.v2.json"
    let full = try String(contentsOfFile: path, encoding: .utf8)
    try fixture.write("containers/\(container.id)/config.v2.json", String(full.prefix(40)))
    let result = fixture.audit()
    #expect(result.findingKeys.contains(orphanKey(fixture, orphan, cleanable: false)))
    #expect(result.errors.map(\.path) == [path])
    let orphanFinding = result.findings.first { $0.id == orphan }
    #expect(
      orphanFinding?.evidence.contains { $0.contains("config.v2.json could not be read") } == true)
  }

  @Test func unreadableCacheIDBlocksCleaning() throws {
    let (fixture, image, _, orphan) = try fixtureWithOrphan()
    let chain = "image/overlay2/layerdb/sha256/\(image.chainIDs[1])"
    try fixture.remove(chain + "/cache-id")
    try fixture.makeDirectory(fixture.root + "/" + chain + "/cache-id")
    let result = fixture.audit()
    let top = image.cacheIDs[1]
    #expect(
      result.findingKeys == [
        orphanKey(fixture, orphan, cleanable: false),
        FindingKey(.orphanedLayer, top, fixture.overlay + "/" + top, cleanable: false),
      ])
    #expect(result.errors.map(\.path) == [fixture.root + "/" + chain + "/cache-id"])
  }

  @Test func unreadableLayerDatabaseBlocksCleaning() throws {
    let (fixture, _, _, orphan) = try fixtureWithOrphan()
    let mounts = fixture.layerDatabase + "/mounts"
    try fixture.remove("image/overlay2/layerdb/mounts")
    try Data("not a directory".utf8).write(to: URL(fileURLWithPath: mounts))
    let result = fixture.audit()
    #expect(result.findingKeys.contains(orphanKey(fixture, orphan, cleanable: false)))
    #expect(result.errors.map(\.path) == [mounts])
  }

  @Test func symlinkedLayerIsNotFollowed() throws {
    let (fixture, _, _, _) = try fixtureWithOrphan()
    let outside = Fixture.id("outside")
    try FileManager.default.createSymbolicLink(
      atPath: fixture.overlay + "/" + outside, withDestinationPath: "/etc")
    let result = fixture.audit()
    let finding = try #require(result.findings.first { $0.id == outside })
    #expect(
      FindingKey(finding)
        == FindingKey(
          .orphanedLayer, outside, fixture.overlay + "/" + outside, cleanable: false))
    #expect(finding.reclaimableBytes == 0)
    #expect(finding.evidence.contains { $0.contains("symbolic link to /etc") })
  }

  @Test func symlinkedReferencedLayerIsDangling() throws {
    let fixture = try Fixture()
    let image = try fixture.addImage("app", layerCount: 1)
    let base = image.cacheIDs[0]
    try fixture.remove("overlay2/\(base)")
    try FileManager.default.createSymbolicLink(
      atPath: fixture.overlay + "/" + base, withDestinationPath: "/usr")
    let result = fixture.audit()
    let link = Fixture.shortID(base)
    #expect(
      result.findingKeys == [
        FindingKey(
          .danglingLayerMetadata, base,
          fixture.layerDatabase + "/sha256/\(image.chainIDs[0])/cache-id", cleanable: false),
        FindingKey(.brokenLayerLink, link, fixture.overlay + "/l/" + link, cleanable: false),
      ])
  }

  @Test func badMountIDIsRejected() throws {
    let (fixture, _, container, orphan) = try fixtureWithOrphan()
    let file = fixture.layerDatabase + "/mounts/\(container.id)/mount-id"
    try fixture.write("image/overlay2/layerdb/mounts/\(container.id)/mount-id", "../../../etc")
    let result = fixture.audit()
    #expect(result.errors.map(\.path) == [file])
    #expect(result.findingKeys.contains(orphanKey(fixture, orphan, cleanable: false)))
    #expect(result.findings.allSatisfy { !$0.cleanable })
  }

  @Test func badParentIsRejected() throws {
    let (fixture, image, _, _) = try fixtureWithOrphan()
    let file = fixture.layerDatabase + "/sha256/\(image.chainIDs[1])/parent"
    try fixture.write("image/overlay2/layerdb/sha256/\(image.chainIDs[1])/parent", "sha256:..")
    let result = fixture.audit()
    #expect(result.errors.map(\.path) == [file])
  }

  @Test func malformedImageConfigIsReported() throws {
    let fixture = try Fixture()
    let image = try fixture.addImage("app", layerCount: 2)
    let file = fixture.root + "/image/overlay2/imagedb/content/sha256/\(image.id)"
    try fixture.write("image/overlay2/imagedb/content/sha256/\(image.id)", "{\"rootfs\":")
    let result = fixture.audit()
    #expect(result.errors.map(\.path) == [file])
    let chains = result.findings.filter { $0.kind == .unreferencedLayerChain }
    #expect(chains.map(\.id).sorted() == image.chainIDs.map { "sha256:" + $0 }.sorted())
    #expect(chains.allSatisfy { $0.evidence.contains { $0.contains("may still use") } })
  }

  @Test func sandboxKeyOutsideExecRootIsIgnored() throws {
    let fixture = try Fixture()
    let image = try fixture.addImage("app", layerCount: 1)
    let container = try fixture.addContainer(
      "api", image: image, state: FixtureState.running,
      extraConfig: ",\"NetworkSettings\":{\"SandboxKey\":\"/etc/../proc/1/ns/net\"}")
    let result = fixture.audit()
    let record = try #require(result.containers.first)
    #expect(record.mountPoints.count == 2)
    #expect(
      result.errors.map(\.path) == [fixture.root + "/containers/\(container.id)/config.v2.json"])
  }

  @Test func unreadableOverlayDirectoryGivesNoLayerFindings() throws {
    let fixture = try Fixture()
    _ = try fixture.addImage("app", layerCount: 2)
    let moved = fixture.base + "/moved-overlay2"
    try FileManager.default.moveItem(atPath: fixture.overlay, toPath: moved)
    try FileManager.default.createSymbolicLink(atPath: fixture.overlay, withDestinationPath: moved)
    let result = fixture.audit()
    #expect(result.errors.map(\.path) == [fixture.overlay])
    #expect(result.findingKeys == [])
  }

  @Test(arguments: ["sha256", "mounts"])
  func symlinkedLayerDatabaseEntryBlocksCleaning(directory: String) throws {
    let (fixture, image, container, orphan) = try fixtureWithOrphan()
    let name = directory == "sha256" ? image.chainIDs[0] : container.id
    let entry = fixture.layerDatabase + "/\(directory)/\(name)"
    let moved = fixture.base + "/moved-\(name)"
    try FileManager.default.moveItem(atPath: entry, toPath: moved)
    try FileManager.default.createSymbolicLink(atPath: entry, withDestinationPath: moved)
    let result = fixture.audit()
    #expect(result.errors.map(\.path) == [entry])
    #expect(result.findingKeys.contains(orphanKey(fixture, orphan, cleanable: false)))
    #expect(result.findings.filter(\.cleanable).map(\.id) == [])
  }
}
