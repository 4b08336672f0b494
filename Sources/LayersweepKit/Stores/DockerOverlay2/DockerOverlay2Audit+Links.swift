import Foundation

extension DockerOverlay2Audit {
  /// `broken-layer-link`: damaged `l/` short links and `link` or `lower` files of the
  /// layers that metadata references.
  func brokenLinks() -> [Finding] {
    let names = layers.values.filter { $0.type == .directory }.map(\.name)
    let layout = self.layout
    let contents = ParallelMap.map(names) { StoreFileSystem.text(of: layout.layer($0) + "/link") }
    let linkFiles = Dictionary(uniqueKeysWithValues: zip(names, contents))
    // Each check only reads files, so the checks run in parallel over the names.
    let audit = self
    let shortLinkFindings = ParallelMap.map(links.keys.sorted()) { name in
      audit.checkShortLink(name, linkFiles: linkFiles)
    }
    let checked = linkCheckedLayerIDs
    let layerNames = layers.keys.sorted().filter { checked.contains($0) && layerIsDirectory($0) }
    let layerFindings = ParallelMap.map(layerNames) { name in
      audit.checkLinkFile(name, contents: linkFiles[name] ?? .missing)
        + [audit.checkLowerFile(name)].compactMap { $0 }
    }
    return shortLinkFindings.compactMap { $0 } + layerFindings.flatMap { $0 }
  }

  /// Layers whose `link` and `lower` files must be intact: those of committed chains and of
  /// containers not being removed. Docker deletes `link` first when it removes a layer, so
  /// layers of `-removing` entries and Dead containers are skipped.
  private var linkCheckedLayerIDs: Set<String> {
    var names = Set(layerDatabase.chains.values.compactMap(\.cacheID))
    let removing = Set(
      containers.filter {
        $0.config?.state?.dead == true || $0.config?.state?.removalInProgress == true
      }
      .map(\.name))
    for mount in layerDatabase.mounts.values where !removing.contains(mount.containerID) {
      names.formUnion([mount.mountID, mount.initID].compactMap { $0 })
    }
    return names
  }

  /// Checks that `l/<name>` is a symbolic link to `../<layer>/diff` of an existing layer
  /// whose `link` file contains `<name>`.
  private func checkShortLink(
    _ name: String, linkFiles: [String: StoreFileSystem.ReadResult<String>]
  ) -> Finding? {
    guard let entry = links[name] else { return nil }
    let relativeLink = "overlay2/l/\(name)"
    guard entry.type == .symbolicLink else {
      return brokenLink(name, entry: entry, layerID: nil, "\(relativeLink) is not a symbolic link.")
    }
    guard case .value(let target) = StoreFileSystem.linkTarget(of: layout.link(name)) else {
      return brokenLink(name, entry: entry, layerID: nil, "\(relativeLink) could not be read.")
    }
    // Split as UTF-8 bytes: splitting a String by Character costs more than the readlink.
    let parts = target.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
      .map { String(Substring($0)) }
    guard parts.count == 3, parts[0] == "..", parts[2] == "diff",
      StoreIdentifier.isSafeComponent(parts[1])
    else {
      let shown = StoreIdentifier.displayed(target)
      return brokenLink(
        name, entry: entry, layerID: nil,
        "\(relativeLink) points to \(shown), not to ../<layer>/diff.")
    }
    let layerID = parts[1]
    return checkShortLinkTarget(
      name, entry: entry, layerID: layerID, linkFile: linkFiles[layerID] ?? .missing)
  }

  private func checkShortLinkTarget(
    _ name: String, entry: StoreFileSystem.Entry, layerID: String,
    linkFile: StoreFileSystem.ReadResult<String>
  ) -> Finding? {
    let relativeLink = "overlay2/l/\(name)"
    if let problem = layerProblem(layerID) {
      return brokenLink(
        name, entry: entry, layerID: layerID,
        "\(relativeLink) points to ../\(layerID)/diff, but overlay2/\(layerID) is missing "
          + "(\(problem)).")
    }
    guard case .value(let diff) = StoreFileSystem.status(of: layout.layer(layerID) + "/diff"),
      diff.type == .directory
    else {
      return brokenLink(
        name, entry: entry, layerID: layerID,
        "\(relativeLink) points to overlay2/\(layerID)/diff, which is not a directory.")
    }
    guard case .value(let recorded) = linkFile,
      recorded != name, StoreIdentifier.matches(recorded, shape: .shortLink)
    else { return nil }
    return brokenLink(
      name, entry: entry, layerID: layerID,
      "\(relativeLink) points to overlay2/\(layerID)/diff, but overlay2/\(layerID)/link "
        + "holds \(recorded).")
  }

  private func brokenLink(
    _ name: String, entry: StoreFileSystem.Entry, layerID: String?, _ sentence: String
  ) -> Finding {
    Finding(
      kind: .brokenLayerLink, store: store, id: name, path: layout.link(name),
      evidence: [sentence], ageSeconds: age(entry.modified), cleanable: false,
      nextStep: "Recreate the link as ../<layer>/diff of the layer whose link file contains "
        + "\(name), or remove the images that use that layer and pull them again.",
      details: layerID.map { ["layer_id": $0] } ?? [:])
  }

  /// Checks that a layer's `link` file contains a short link name that exists in `l/`.
  private func checkLinkFile(
    _ layerID: String, contents: StoreFileSystem.ReadResult<String>
  ) -> [Finding] {
    let sentence: String
    switch contents {
    case .missing:
      sentence = "overlay2/\(layerID)/link is missing, so Docker cannot find its short link."
    case .failed(let message):
      sentence = "overlay2/\(layerID)/link could not be read (\(message))."
    case .value(let text) where !StoreIdentifier.matches(text, shape: .shortLink):
      sentence =
        "overlay2/\(layerID)/link contains '\(StoreIdentifier.displayed(text))', not a short "
        + "link name of 26 characters of A-Z and 0-9."
    case .value(let shortID):
      guard links[shortID] == nil else { return [] }
      return [
        Finding(
          kind: .brokenLayerLink, store: store, id: shortID, path: layout.link(shortID),
          evidence: [
            "overlay2/l/\(shortID) is missing, but overlay2/\(layerID)/link names it; "
              + "mounting layers above it fails."
          ], ageSeconds: layers[layerID].map { age($0.modified) }, cleanable: false,
          nextStep: "Recreate it: ln -s ../\(layerID)/diff \(layout.link(shortID))",
          details: ["layer_id": layerID])
      ]
    }
    return [layerFileFinding(layerID, file: "link", evidence: [sentence])]
  }

  /// Checks that a layer's `lower` file is a `:`-separated list of existing `l/<name>`.
  private func checkLowerFile(_ layerID: String) -> Finding? {
    let path = layout.layer(layerID) + "/lower"
    let text: String
    switch StoreFileSystem.text(of: path) {
    case .missing: return nil
    case .failed(let message):
      return layerFileFinding(
        layerID, file: "lower",
        evidence: ["overlay2/\(layerID)/lower could not be read (\(message))."])
    case .value(let value): text = value
    }
    guard !text.isEmpty else {
      return layerFileFinding(
        layerID, file: "lower", evidence: ["overlay2/\(layerID)/lower is empty."])
    }
    var evidence: [String] = []
    let linkPrefix = "l/".utf8
    for bytes in text.utf8.split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false) {
      let part = Substring(bytes)
      let shortID = bytes.starts(with: linkPrefix) ? String(Substring(bytes.dropFirst(2))) : ""
      if !StoreIdentifier.matches(shortID, shape: .shortLink) {
        evidence.append(
          "overlay2/\(layerID)/lower holds the malformed entry "
            + "'\(StoreIdentifier.displayed(String(part)))' (expected l/<26 characters>).")
      } else if links[shortID] == nil {
        evidence.append(
          "overlay2/\(layerID)/lower names l/\(shortID), which does not exist; mounting "
            + "this layer fails with 'readlink ... invalid argument'.")
      }
    }
    return evidence.isEmpty ? nil : layerFileFinding(layerID, file: "lower", evidence: evidence)
  }

  private func layerFileFinding(_ layerID: String, file: String, evidence: [String]) -> Finding {
    Finding(
      kind: .brokenLayerLink, store: store, id: layerID,
      path: layout.layer(layerID) + "/" + file, evidence: evidence,
      ageSeconds: layers[layerID].map { age($0.modified) }, cleanable: false,
      nextStep: "Remove the images and containers that use layer \(layerID) and pull or "
        + "build them again; Docker cannot repair its \(file) file.",
      details: ["layer_id": layerID])
  }
}
