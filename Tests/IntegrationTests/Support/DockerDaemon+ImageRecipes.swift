import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Recipes that damage the image store the way real failures do.
extension DockerDaemon {
  /// Kills dockerd with SIGKILL while `docker import` streams a layer, after the overlay2
  /// directory and the layerdb write set exist but before the metadata commit. The import
  /// stream is a tar header for a 64 MiB file followed by 1 MiB of it, then a stall, so the
  /// daemon is deterministically blocked inside the layer apply when it is killed: no retry
  /// loop is needed. Leaves dockerd down.
  func interruptImport() throws -> DamageCase {
    let before = Set(try FileManager.default.contentsOfDirectory(atPath: overlayRoot))
    let stream = try Descriptor.pipe()
    let importer = try Command.spawn(
      [Self.dockerPath, "--host", "unix://\(socketPath)", "import", "-", "lsw/partial:1"],
      logPath: "\(sandbox)/import.log", stdin: stream.read)
    close(stream.read)
    adopt(importer)
    let writer = FileHandle(fileDescriptor: stream.write, closeOnDealloc: false)
    writer.write(TarHeader.regularFile(name: "big", size: 64 << 20))
    writer.write(Data(count: 1 << 20))

    var layerID: String?
    HostState.wait(timeout: 60) {
      let current = Set((try? FileManager.default.contentsOfDirectory(atPath: overlayRoot)) ?? [])
      layerID = current.subtracting(before).first
      let partial = layerID.map { "\(overlayRoot)/\($0)/diff/big" } ?? ""
      let size = (try? FileManager.default.attributesOfItem(atPath: partial)[.size] as? Int) ?? 0
      return size >= 1 << 20
    }
    crash()
    close(stream.write)
    importer.wait(timeout: 30)
    return try interruptedImportCase(layerID: layerID ?? "(none)")
  }

  private func interruptedImportCase(layerID: String) throws -> DamageCase {
    let layerPath = "\(overlayRoot)/\(layerID)"
    let writeSets = ((try? FileManager.default.contentsOfDirectory(atPath: "\(layerdb)/tmp")) ?? [])
      .filter { $0.hasPrefix("write-set-") }
    let cacheIDs = try allCacheIDs()
    var expected = [FindingKey(.orphanedLayer, id: layerID, path: layerPath)]
    expected += writeSets.map {
      FindingKey(.staleRemoval, id: $0, path: "\(layerdb)/tmp/\($0)")
    }
    return DamageCase(
      expected: expected,
      checks: [
        StateCheck(fact: "the import created a layer directory", isSatisfied: layerID != "(none)"),
        StateCheck(
          fact: "\(layerPath)/diff exists", isSatisfied: HostState.exists("\(layerPath)/diff")),
        StateCheck(fact: "no cache-id names \(layerID)", isSatisfied: !cacheIDs.contains(layerID)),
        StateCheck(fact: "dockerd is down", isSatisfied: pid == nil),
      ])
  }

  /// Returns every `cache-id` in layerdb, including those of `-removing` entries.
  func allCacheIDs() throws -> Set<String> {
    let directory = "\(layerdb)/sha256"
    let entries = try FileManager.default.contentsOfDirectory(atPath: directory)
    return Set(
      entries.compactMap {
        try? String(contentsOfFile: "\(directory)/\($0)/cache-id", encoding: .utf8)
      })
  }

  /// Builds a one-layer image on busybox whose layer contains `/locked`, sets the immutable bit
  /// on that file in the layer's `diff` and runs `docker rmi`, which fails after renaming
  /// the layerdb entry to `<chainID>-<random>-removing`.
  func failImageRemoval() throws -> DamageCase {
    let tag = "lsw/immutable:1"
    try build(tag, dockerfile: "FROM \(TestImage.busybox)\nRUN echo locked > /locked\n")
    let cacheID = try topLayerCacheID(of: tag)
    let chainID = try chainID(forCacheID: cacheID)
    try makeImmutable("\(overlayRoot)/\(cacheID)/diff/locked")
    let removal = try dockerResult(["rmi", tag])

    let entries = try FileManager.default.contentsOfDirectory(atPath: "\(layerdb)/sha256")
    let removing = entries.filter { $0.hasPrefix("\(chainID)-") && $0.hasSuffix("-removing") }
    let removingCacheID = removing.first.flatMap {
      try? String(contentsOfFile: "\(layerdb)/sha256/\($0)/cache-id", encoding: .utf8)
    }
    return DamageCase(
      expected: removing.map {
        FindingKey(.staleRemoval, id: $0, path: "\(layerdb)/sha256/\($0)")
      },
      checks: [
        StateCheck(fact: "docker rmi failed", isSatisfied: removal.status != 0),
        StateCheck(fact: "one -removing entry for \(chainID)", isSatisfied: removing.count == 1),
        StateCheck(fact: "it names \(cacheID)", isSatisfied: removingCacheID == cacheID),
        StateCheck(
          fact: "\(overlayRoot)/\(cacheID) still exists",
          isSatisfied: HostState.exists("\(overlayRoot)/\(cacheID)")),
      ])
  }

  /// Builds a one-layer image on busybox and deletes its layer directory under it; the
  /// layerdb entry and the `l/` link stay and now dangle.
  func deleteLayerDirectory() throws -> DamageCase {
    let tag = "lsw/victim:1"
    try build(tag, dockerfile: "FROM \(TestImage.busybox)\nRUN echo victim > /victim\n")
    let cacheID = try topLayerCacheID(of: tag)
    let chainID = try chainID(forCacheID: cacheID)
    let link = try linkName(ofLayer: cacheID)
    let layerPath = "\(overlayRoot)/\(cacheID)"
    try FileManager.default.removeItem(atPath: layerPath)
    return DamageCase(
      expected: [
        FindingKey(
          .danglingLayerMetadata, id: cacheID, path: "\(layerdb)/sha256/\(chainID)/cache-id"),
        FindingKey(.brokenLayerLink, id: link, path: "\(overlayRoot)/l/\(link)"),
      ],
      checks: [
        StateCheck(fact: "\(layerPath) is gone", isSatisfied: !HostState.exists(layerPath)),
        StateCheck(
          fact: "layerdb entry \(chainID) remains",
          isSatisfied: HostState.exists("\(layerdb)/sha256/\(chainID)/cache-id")),
        StateCheck(
          fact: "l/\(link) remains", isSatisfied: HostState.exists("\(overlayRoot)/l/\(link)")),
      ])
  }

  /// Builds a one-layer image on busybox and deletes the `l/` short link of its layer.
  func deleteLayerLink() throws -> DamageCase {
    let tag = "lsw/unlinked:1"
    try build(tag, dockerfile: "FROM \(TestImage.busybox)\nRUN echo unlinked > /unlinked\n")
    let cacheID = try topLayerCacheID(of: tag)
    let link = try linkName(ofLayer: cacheID)
    let linkPath = "\(overlayRoot)/l/\(link)"
    try FileManager.default.removeItem(atPath: linkPath)
    return DamageCase(
      expected: [FindingKey(.brokenLayerLink, id: link, path: linkPath)],
      checks: [
        StateCheck(fact: "\(linkPath) is gone", isSatisfied: !HostState.exists(linkPath)),
        StateCheck(
          fact: "layer \(cacheID) remains",
          isSatisfied: HostState.exists("\(overlayRoot)/\(cacheID)")),
      ])
  }
}
