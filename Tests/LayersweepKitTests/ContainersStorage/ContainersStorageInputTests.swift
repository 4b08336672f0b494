import Foundation
import Testing

@testable import LayersweepKit

/// Feeds hand-made stores with damaged or crafted metadata to the containers/storage store.
@Suite struct ContainersStorageInputTests {
  static let layer = String(repeating: "1", count: 64)
  static let orphan = String(repeating: "2", count: 64)
  static let image = String(repeating: "3", count: 64)

  /// A store with one image layer, one unaccounted directory and the given metadata.
  final class HandMadeStore {
    let directory: String
    var graphRoot: String { directory + "/graph" }
    var layersFile: String { graphRoot + "/overlay-layers/layers.json" }
    var imagesFile: String { graphRoot + "/overlay-images/images.json" }

    init() throws {
      directory =
        FileManager.default.temporaryDirectory.path + "/layersweep-cs-" + UUID().uuidString
      let manager = FileManager.default
      for id in [layer, orphan] {
        try manager.createDirectory(
          atPath: graphRoot + "/overlay/\(id)/diff", withIntermediateDirectories: true)
      }
      try manager.createDirectory(
        atPath: graphRoot + "/overlay-layers", withIntermediateDirectories: true)
      try manager.createDirectory(
        atPath: graphRoot + "/overlay-images", withIntermediateDirectories: true)
      try write(layersFile, #"[{"id":"\#(layer)","created":"2020-01-01T00:00:00Z"}]"#)
      try write(imagesFile, #"[{"id":"\#(image)","layer":"\#(layer)"}]"#)
    }

    deinit {
      try? FileManager.default.removeItem(atPath: directory)
    }

    func write(_ path: String, _ text: String) throws {
      try text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    func audit(lockTimeout: TimeInterval = 10) -> StoreAuditResult {
      var paths = HostPaths()
      paths.containersGraphRoot = graphRoot
      paths.containersRunRoot = directory + "/run"
      let store = ContainersStorageStore(paths: paths, lockTimeout: lockTimeout)
      return store.audit(
        host: HostSnapshot(), context: AuditContext(paths: paths, measuresBytes: false))
    }
  }

  @Test func handMadeStoreFindsOrphan() throws {
    let store = try HandMadeStore()
    let result = store.audit()
    #expect(result.errors == [])
    #expect(
      FindingTriple.of(result.findings) == [
        FindingTriple(.orphanedLayer, Self.orphan, store.graphRoot + "/overlay/" + Self.orphan)
      ])
  }

  @Test func truncatedLayersFileReportsNoOrphans() throws {
    let store = try HandMadeStore()
    try store.write(store.layersFile, #"[{"id":"\#(Self.layer)","crea"#)
    let result = store.audit()
    #expect(result.errors.map(\.path) == [store.layersFile])
    #expect(result.errors.first?.message.hasPrefix("invalid JSON (") == true)
    #expect(result.findings.filter { $0.kind == .orphanedLayer } == [])
    #expect(result.findings.filter(\.cleanable) == [])
  }

  @Test func missingLayersFileIsAnError() throws {
    let store = try HandMadeStore()
    try FileManager.default.removeItem(atPath: store.layersFile)
    let result = store.audit()
    #expect(result.errors.map(\.path) == [store.layersFile])
    #expect(result.findings.filter(\.cleanable) == [])
  }

  @Test(arguments: ["../../etc", "a/b", "", ".hidden", String(repeating: "f", count: 256)])
  func craftedLayerIDIsRejected(id: String) throws {
    let store = try HandMadeStore()
    let quoted = String(decoding: try JSONEncoder().encode(id), as: UTF8.self)
    try store.write(store.layersFile, #"[{"id":\#(quoted)}]"#)
    let result = store.audit()
    #expect(result.errors.map(\.path) == [store.layersFile])
    #expect(
      result.errors.first?.message == "invalid id \(String(reflecting: id)); the file is ignored")
    #expect(result.findings.filter { $0.kind == .orphanedLayer } == [])
  }

  @Test func craftedImageLayerIsRejected() throws {
    let store = try HandMadeStore()
    try store.write(store.imagesFile, #"[{"id":"\#(Self.image)","layer":"../../../etc"}]"#)
    let result = store.audit()
    #expect(result.errors.map(\.path) == [store.imagesFile])
    #expect(result.findings.contains { $0.kind == .unreferencedLayerChain } == false)
    #expect(result.findings.contains { $0.kind == .danglingLayerMetadata } == false)
  }

  @Test func truncatedImagesFileReportsNoUnreferenced() throws {
    let store = try HandMadeStore()
    try store.write(store.imagesFile, "[{")
    let result = store.audit()
    #expect(result.errors.map(\.path) == [store.imagesFile])
    #expect(result.findings.contains { $0.kind == .unreferencedLayerChain } == false)
  }

  @Test func symlinkLayerIsNotFollowed() throws {
    let store = try HandMadeStore()
    let outside = store.directory + "/outside"
    try FileManager.default.createDirectory(
      atPath: outside + "/diff", withIntermediateDirectories: true)
    let link = store.graphRoot + "/overlay/" + String(repeating: "4", count: 64)
    try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: outside)
    let result = store.audit()
    #expect(FindingTriple.of(result.findings).map(\.id) == [Self.orphan])
  }

  @Test func symlinkedLayersFileIsRejected() throws {
    let store = try HandMadeStore()
    let elsewhere = store.directory + "/elsewhere.json"
    try FileManager.default.moveItem(atPath: store.layersFile, toPath: elsewhere)
    try FileManager.default.createSymbolicLink(
      atPath: store.layersFile, withDestinationPath: elsewhere)
    let result = store.audit()
    #expect(result.errors.map(\.path) == [store.layersFile])
    #expect(result.findings.filter(\.cleanable) == [])
  }

  @Test func heldWriteLockTimesOut() throws {
    let store = try HandMadeStore()
    let lockFile = store.graphRoot + "/overlay-layers/layers.lock"
    try Data().write(to: URL(fileURLWithPath: lockFile))
    let held = try ContainersStorageLocks.acquire(
      graphRoot: store.graphRoot, runRoot: store.directory + "/run", mode: .write, timeout: 1)
    defer { held.release() }
    let result = store.audit(lockTimeout: 0.1)
    #expect(result.errors.map(\.path) == [lockFile])
    #expect(result.findings == [])
  }

  @Test func sharedLocksCoexist() throws {
    let store = try HandMadeStore()
    try Data().write(to: URL(fileURLWithPath: store.graphRoot + "/overlay-layers/layers.lock"))
    let held = try ContainersStorageLocks.acquire(
      graphRoot: store.graphRoot, runRoot: store.directory + "/run", mode: .read, timeout: 1)
    defer { held.release() }
    let result = store.audit(lockTimeout: 0.1)
    #expect(result.errors == [])
  }
}
