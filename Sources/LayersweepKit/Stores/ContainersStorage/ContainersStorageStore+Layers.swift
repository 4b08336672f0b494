import Foundation

// MARK: - Layer directories and layer records

extension ContainersStorageStore {
  /// Finds unaccounted, incomplete, unreferenced and dangling layers.
  func layerFindings(_ scan: ContainersStorageScan, now: Date) -> [Finding] {
    var findings = orphanedLayers(scan, now: now)
    findings += incompleteLayers(scan, now: now)
    findings += unreferencedLayers(scan, now: now)
    findings += danglingRecords(scan)
    return findings
  }

  /// Layer directories that no layer store records ("unaccounted" in containers/storage).
  /// None is reported when a layer file could not be read, because every directory would
  /// then look unaccounted. A directory with a mount below it is reported but not cleanable.
  private func orphanedLayers(_ scan: ContainersStorageScan, now: Date) -> [Finding] {
    guard scan.metadata.isLayerStoreComplete else { return [] }
    let unaccounted = scan.driver.layerDirectories.subtracting(scan.metadata.layers.keys)
    return unaccounted.map { id in
      let path = driverRoot + "/" + id
      let mounts = scan.mounts.filter { $0.target.hasPrefix(path + "/") }.map(\.target)
      var evidence = ["directory is in neither layers.json nor volatile-layers.json"]
      evidence += mounts.map { "\($0) is mounted" }
      return Finding(
        kind: .orphanedLayer, store: name, id: id, path: path, evidence: evidence,
        ageSeconds: age(of: scan.driver.modificationTimes[id], now: now),
        cleanable: mounts.isEmpty,
        nextStep: mounts.isEmpty ? nil : "Unmount \(mounts.joined(separator: ", ")) first.")
    }
  }

  /// Layers flagged `incomplete`: an interrupted pull, import or commit.
  private func incompleteLayers(_ scan: ContainersStorageScan, now: Date) -> [Finding] {
    scan.metadata.layers.values.filter(\.isIncomplete).map { layer in
      Finding(
        kind: .staleRemoval, store: name, id: layer.id, path: driverRoot + "/" + layer.id,
        evidence: ["\(scanSource(layer.id, scan)) flags the layer incomplete"],
        ageSeconds: age(of: createdDate(layer.created), now: now),
        nextStep: "Run any podman command, such as `podman images`; containers/storage deletes"
          + " incomplete layers when it next loads the store for writing.")
    }
  }

  /// Complete layers that no image (top or mapped layer) or container reaches through
  /// parent links, older than `unreferencedMinimumAge`.
  private func unreferencedLayers(_ scan: ContainersStorageScan, now: Date) -> [Finding] {
    guard scan.metadata.areReferencesComplete else { return [] }
    let reachable = reachableLayers(scan.metadata)
    let candidates = scan.metadata.layers.values.filter {
      !$0.isIncomplete && !reachable.contains($0.id)
    }
    return candidates.compactMap { layer in
      let created = createdDate(layer.created)
      if let created, now.timeIntervalSince(created) < unreferencedMinimumAge { return nil }
      var evidence = ["no image or container in images.json or containers.json reaches it"]
      if created == nil { evidence.append("the layer has no creation time") }
      return Finding(
        kind: .unreferencedLayerChain, store: name, id: layer.id,
        path: driverRoot + "/" + layer.id, evidence: evidence,
        ageSeconds: age(of: created, now: now),
        nextStep: "Check that no Buildah or CRI-O job still needs it; containers/storage"
          + " deletes such layers in `podman system check --repair` (Podman 5.0 and later).",
        details: layer.parent.map { ["parent": $0] } ?? [:])
    }
  }

  /// Collects every layer an image or container keeps, with all its parents.
  func reachableLayers(_ metadata: ContainersStorageMetadata) -> Set<String> {
    var pending = metadata.images.flatMap {
      ($0.layer.map { [$0] } ?? []) + ($0.mappedLayers ?? [])
    }
    pending += metadata.containers.map(\.layer)
    var reachable = Set<String>()
    while let id = pending.popLast() {
      guard reachable.insert(id).inserted else { continue }
      if let parent = metadata.layers[id]?.parent { pending.append(parent) }
    }
    return reachable
  }

  /// Images and containers whose layer is missing, and layer records without a directory.
  /// None is reported when a layer file could not be read, because every layer would then
  /// look missing.
  private func danglingRecords(_ scan: ContainersStorageScan) -> [Finding] {
    guard scan.metadata.isLayerStoreComplete else { return [] }
    var findings: [Finding] = []
    let present = { (id: String) in
      scan.metadata.layers[id] != nil && scan.driver.layerDirectories.contains(id)
    }
    for image in scan.metadata.images {
      let layers = (image.layer.map { [$0] } ?? []) + (image.mappedLayers ?? [])
      for layer in layers where !present(layer) {
        findings.append(dangling(image.id, layer: layer, owner: "image", scan: scan))
      }
    }
    for container in scan.metadata.containers where !present(container.layer) {
      findings.append(
        dangling(container.id, layer: container.layer, owner: "container", scan: scan))
    }
    for layer in scan.metadata.layers.values
    where !layer.isIncomplete && !scan.driver.layerDirectories.contains(layer.id) {
      findings.append(dangling(layer.id, layer: layer.id, owner: "layer", scan: scan))
    }
    return findings
  }

  private func dangling(
    _ id: String, layer: String, owner: String, scan: ContainersStorageScan
  ) -> Finding {
    let path = driverRoot + "/" + layer
    let fact =
      scan.metadata.layers[layer] == nil
      ? "its layer \(layer) is in no layer store"
      : "its layer directory \(path) does not exist"
    return Finding(
      kind: .danglingLayerMetadata, store: name, id: id, path: path,
      evidence: ["\(owner) record: \(fact)"],
      nextStep: owner == "layer"
        ? "Remove the images and containers that use the layer with podman, then the layer."
        : "Remove the \(owner) with podman (`podman \(owner == "image" ? "rmi" : "rm") \(id)`).",
      details: ["layer": layer])
  }

  private func scanSource(_ id: String, _ scan: ContainersStorageScan) -> String {
    scan.metadata.layerSources[id].map { ($0 as NSString).lastPathComponent } ?? "layers.json"
  }

  /// Parses a `created` value into a date, or nil when absent, malformed or Go's zero time.
  func createdDate(_ text: String?) -> Date? {
    guard let text, let date = GoTimestamp.parse(text), !GoTimestamp.isZero(date) else {
      return nil
    }
    return date
  }

  func age(of date: Date?, now: Date) -> Int64? {
    date.map { max(0, Int64(now.timeIntervalSince($0))) }
  }
}
