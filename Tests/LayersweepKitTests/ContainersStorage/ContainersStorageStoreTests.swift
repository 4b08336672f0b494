import Foundation
import Testing

@testable import LayersweepKit

/// Runs real podman 4.3 against a private store and audits what it leaves.
@Suite(.serialized) struct ContainersStorageStoreTests {
  @Test func healthyStoreHasNoFindings() throws {
    let sandbox = try PodmanSandbox()
    let image = try sandbox.importImage("localhost/busybox:1")
    let created = try sandbox.createContainer("created", image: image)
    let mounted = try sandbox.createContainer("mounted", image: image)
    let merged = try sandbox.podman(["mount", mounted])
    let removed = try sandbox.createContainer("removed", image: image)
    try sandbox.podman(["rm", removed])

    let result = sandbox.audit()
    #expect(result.errors == [])
    #expect(FindingTriple.of(result.findings) == [])
    #expect(result.status.isPresent)
    #expect(Set(result.containers.map(\.id)) == [created, mounted])
    let record = result.containers.first { $0.id == mounted }
    #expect(record?.name == "mounted")
    #expect(record?.runtime == "libpod")
    #expect(record?.mountPoints.first == merged)
    #expect(result.layerRoot == sandbox.driverRoot)
    #expect(result.layerDiffDirectories.count == 3)
  }

  @Test func busyStoreHasNoFindings() throws {
    let sandbox = try PodmanSandbox()
    let first = try sandbox.importImage("localhost/busybox:1")
    let secondTar = try sandbox.makeBusyboxTar(named: "second", paddingBytes: 4_096)
    let second = try sandbox.podman(["import", "--quiet", secondTar, "localhost/busybox:2"])
    var containers = [
      try sandbox.createContainer("first-a", image: first),
      try sandbox.createContainer("first-b", image: first),
      try sandbox.createContainer("second-a", image: second),
    ]
    try sandbox.podman(["mount", containers[0]])
    try sandbox.podman(["mount", containers[2]])
    try sandbox.podman(["image", "mount", second])
    let committed = try sandbox.podman([
      "commit", "--quiet", containers[1], "localhost/committed:1",
    ])
    containers.append(try sandbox.createContainer("committed-a", image: committed))
    try sandbox.podman(["mount", containers[3]])

    let result = sandbox.audit(now: Date().addingTimeInterval(30 * 86_400))
    #expect(result.errors == [])
    #expect(FindingTriple.of(result.findings) == [])
    #expect(Set(result.containers.map(\.id)) == Set(containers))
  }

  @Test func podmanWaitsForSharedLock() throws {
    let sandbox = try PodmanSandbox()
    let image = try sandbox.importImage("localhost/busybox:1")
    let container = try sandbox.createContainer("c1", image: image)
    let store = ContainersStorageStore(paths: sandbox.paths)
    let locks = try store.lock(.read, timeout: 5)
    let removal = try sandbox.startPodman(["rm", container])
    sleep(2)
    let wasBlocked = removal.isRunning
    locks.release()
    removal.waitUntilExit()

    #expect(wasBlocked)
    #expect(removal.terminationStatus == 0)
    #expect(sandbox.audit().containers == [])
  }

  @Test func unaccountedDirectoryIsOrphaned() throws {
    let sandbox = try PodmanSandbox()
    let image = try sandbox.importImage("localhost/busybox:1")
    let layer = try sandbox.layer(ofImage: image)
    let orphan = String(repeating: "ab", count: 32)
    try PodmanSandbox.run(
      "/bin/cp", ["-a", sandbox.driverRoot + "/" + layer, sandbox.driverRoot + "/" + orphan])

    let result = sandbox.audit()
    #expect(result.errors == [])
    #expect(
      FindingTriple.of(result.findings) == [
        FindingTriple(.orphanedLayer, orphan, sandbox.driverRoot + "/" + orphan)
      ])
    #expect(result.findings.first?.cleanable == true)
    #expect((result.findings.first?.reclaimableBytes ?? 0) > 1_000_000)
  }

  @Test func killedImportLeavesIncompleteLayer() throws {
    let sandbox = try PodmanSandbox()
    try sandbox.importImage("localhost/busybox:1")
    let tar = try sandbox.makeBusyboxTar(named: "big", paddingBytes: 256 << 20)
    let layersFile = sandbox.graphRoot + "/overlay-layers/layers.json"
    let process = try sandbox.startPodman(["import", "--quiet", tar, "localhost/big:1"])
    var incomplete: String?
    for _ in 0..<6_000 where incomplete == nil && process.isRunning {
      incomplete = Self.incompleteLayer(in: layersFile)
      if incomplete == nil { usleep(5_000) }
    }
    kill(process.processIdentifier, SIGKILL)
    process.waitUntilExit()
    let layer = try #require(incomplete, "the import finished before its layer was seen")

    let result = sandbox.audit()
    #expect(result.errors == [])
    #expect(
      FindingTriple.of(result.findings) == [
        FindingTriple(.staleRemoval, layer, sandbox.driverRoot + "/" + layer)
      ])
    #expect(result.findings.first?.cleanable == false)
  }

  /// The id of the first layer flagged incomplete, read without a lock like any observer.
  private static func incompleteLayer(in path: String) -> String? {
    guard let data = FileManager.default.contents(atPath: path),
      let layers = try? JSONSerialization.jsonObject(with: data) as? [[String: Any]]
    else { return nil }
    let layer = layers.first { ($0["flags"] as? [String: Any])?["incomplete"] as? Bool == true }
    return layer?["id"] as? String
  }

  @Test func removedLayerDirectoryDangles() throws {
    let sandbox = try PodmanSandbox()
    let image = try sandbox.importImage("localhost/busybox:1")
    let container = try sandbox.createContainer("c1", image: image)
    let layer = try sandbox.layer(ofContainer: container)
    let link = try sandbox.linkName(ofLayer: layer)
    try FileManager.default.removeItem(atPath: sandbox.driverRoot + "/" + layer)

    let result = sandbox.audit()
    let path = sandbox.driverRoot + "/" + layer
    #expect(result.errors == [])
    #expect(
      FindingTriple.of(result.findings)
        == FindingTriple.sorted([
          FindingTriple(.danglingLayerMetadata, container, path),
          FindingTriple(.danglingLayerMetadata, layer, path),
          FindingTriple(.brokenLayerLink, link, sandbox.driverRoot + "/l/" + link),
        ]))
    let cleanable = result.findings.filter(\.cleanable).map(\.kind)
    #expect(cleanable == [.brokenLayerLink])
  }

  @Test func removedImageLayerDangles() throws {
    let sandbox = try PodmanSandbox()
    let image = try sandbox.importImage("localhost/busybox:1")
    let layer = try sandbox.layer(ofImage: image)
    let link = try sandbox.linkName(ofLayer: layer)
    try FileManager.default.removeItem(atPath: sandbox.driverRoot + "/" + layer)

    let result = sandbox.audit()
    let path = sandbox.driverRoot + "/" + layer
    #expect(
      FindingTriple.of(result.findings)
        == FindingTriple.sorted([
          FindingTriple(.danglingLayerMetadata, image, path),
          FindingTriple(.danglingLayerMetadata, layer, path),
          FindingTriple(.brokenLayerLink, link, sandbox.driverRoot + "/l/" + link),
        ]))
  }

  @Test func missingShortLinkIsBroken() throws {
    let sandbox = try PodmanSandbox()
    let image = try sandbox.importImage("localhost/busybox:1")
    let container = try sandbox.createContainer("c1", image: image)
    let base = try sandbox.layer(ofImage: image)
    let top = try sandbox.layer(ofContainer: container)
    let link = try sandbox.linkName(ofLayer: base)
    try FileManager.default.removeItem(atPath: sandbox.driverRoot + "/l/" + link)

    let result = sandbox.audit()
    #expect(
      FindingTriple.of(result.findings)
        == FindingTriple.sorted([
          FindingTriple(.brokenLayerLink, base, sandbox.driverRoot + "/" + base + "/link"),
          FindingTriple(.brokenLayerLink, top, sandbox.driverRoot + "/" + top + "/lower"),
        ]))
  }

  @Test func unreferencedLayerWaitsForAgeGate() throws {
    let sandbox = try PodmanSandbox()
    let image = try sandbox.importImage("localhost/busybox:1")
    let layer = try sandbox.layer(ofImage: image)
    // An image record deleted before its layers, as when podman dies inside `rmi`.
    try "[]".write(
      toFile: sandbox.graphRoot + "/overlay-images/images.json", atomically: true, encoding: .utf8)

    let fresh = sandbox.audit()
    let later = sandbox.audit(now: Date().addingTimeInterval(25 * 3_600))
    #expect(FindingTriple.of(fresh.findings) == [])
    #expect(
      FindingTriple.of(later.findings) == [
        FindingTriple(.unreferencedLayerChain, layer, sandbox.driverRoot + "/" + layer)
      ])
    #expect(later.findings.first?.cleanable == false)
  }

  @Test func zeroCreationTimeCountsAsOld() throws {
    let sandbox = try PodmanSandbox()
    let image = try sandbox.importImage("localhost/busybox:1")
    let layer = try sandbox.layer(ofImage: image)
    try "[]".write(
      toFile: sandbox.graphRoot + "/overlay-images/images.json", atomically: true, encoding: .utf8)
    let layersFile = sandbox.graphRoot + "/overlay-layers/layers.json"
    let layers = try String(contentsOfFile: layersFile, encoding: .utf8)
    let zeroed = layers.replacingOccurrences(
      of: #""created":"[^"]*""#, with: #""created":"0001-01-01T00:00:00Z""#,
      options: .regularExpression)
    try zeroed.write(toFile: layersFile, atomically: true, encoding: .utf8)

    let result = sandbox.audit()
    #expect(
      FindingTriple.of(result.findings) == [
        FindingTriple(.unreferencedLayerChain, layer, sandbox.driverRoot + "/" + layer)
      ])
  }

  @Test func countWithoutMountIsDead() throws {
    let sandbox = try PodmanSandbox()
    let image = try sandbox.importImage("localhost/busybox:1")
    let container = try sandbox.createContainer("c1", image: image)
    let merged = try sandbox.podman(["mount", container])
    let layer = try sandbox.layer(ofContainer: container)
    #expect(umount2(merged, 0) == 0)

    let result = sandbox.audit()
    #expect(FindingTriple.of(result.findings) == [FindingTriple(.deadMount, layer, merged)])
    #expect(result.findings.first?.details["reason"] == "recorded-not-mounted")
  }

  @Test func mountWithoutCountIsDead() throws {
    let sandbox = try PodmanSandbox()
    let image = try sandbox.importImage("localhost/busybox:1")
    let container = try sandbox.createContainer("c1", image: image)
    let base = try sandbox.layer(ofImage: image)
    let layer = try sandbox.layer(ofContainer: container)
    let root = sandbox.driverRoot
    let merged = root + "/" + layer + "/merged"
    try FileManager.default.createDirectory(atPath: merged, withIntermediateDirectories: true)
    try PodmanSandbox.run(
      "/bin/mount",
      [
        "-t", "overlay", "overlay", "-o",
        "lowerdir=\(root)/\(base)/diff,upperdir=\(root)/\(layer)/diff,workdir=\(root)/\(layer)/work",
        merged,
      ])
    defer { umount2(merged, Int32(MNT_DETACH)) }

    let result = sandbox.audit()
    #expect(FindingTriple.of(result.findings) == [FindingTriple(.deadMount, layer, merged)])
    #expect(result.findings.first?.details["reason"] == "mounted-not-recorded")
  }

  @Test func filesInUnmountedMergedAreStray() throws {
    let sandbox = try PodmanSandbox()
    let image = try sandbox.importImage("localhost/busybox:1")
    let container = try sandbox.createContainer("c1", image: image)
    let merged = try sandbox.podman(["mount", container])
    let layer = try sandbox.layer(ofContainer: container)
    try sandbox.podman(["umount", container])
    try FileManager.default.createDirectory(atPath: merged, withIntermediateDirectories: true)
    try Data("x".utf8).write(to: URL(fileURLWithPath: merged + "/late.log"))

    let result = sandbox.audit()
    #expect(FindingTriple.of(result.findings) == [FindingTriple(.deadMount, layer, merged)])
    #expect(result.findings.first?.details["reason"] == "stray-files-in-merged")
  }
}
