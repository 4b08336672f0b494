import Foundation

// MARK: - Short links (`l/`), `link` and `lower` files

extension ContainersStorageStore {
  /// Finds short links whose layer directory is gone, and layers whose `link` or `lower`
  /// file names a short link that does not exist. Only recorded layers are checked, since
  /// an unaccounted directory is reported as a whole.
  func linkFindings(_ scan: ContainersStorageScan) -> [Finding] {
    var findings = danglingLinks(scan)
    let layerIDs = scan.metadata.layers.keys.filter { scan.driver.layerDirectories.contains($0) }
    for id in layerIDs.sorted() {
      findings += missingLinks(of: id, scan: scan)
    }
    return findings
  }

  /// Symlinks in `l/` whose target is not `../<id>/diff` of an existing layer directory.
  /// Removing one deletes only the symlink, so a plain dangling link is cleanable.
  private func danglingLinks(_ scan: ContainersStorageScan) -> [Finding] {
    scan.driver.links.compactMap { linkName, target in
      let layer = Self.layerID(fromLinkTarget: target)
      if let layer, scan.driver.layerDirectories.contains(layer) { return nil }
      let fact =
        layer == nil
        ? "its target \(target) is not a layer's diff directory"
        : "its target \(target) does not exist"
      return Finding(
        kind: .brokenLayerLink, store: name, id: linkName, path: driverRoot + "/l/" + linkName,
        evidence: ["short link: \(fact)"], cleanable: layer != nil,
        details: ["target": target])
    }
  }

  /// Extracts the layer id from a short link target of the form `../<id>/diff`.
  static func layerID(fromLinkTarget target: String) -> String? {
    let parts = target.split(separator: "/", omittingEmptySubsequences: false)
    guard parts.count == 3, parts[0] == "..", parts[2] == "diff" else { return nil }
    let id = String(parts[1])
    return StoreIdentifier.isValid(id) ? id : nil
  }

  private func missingLinks(of id: String, scan: ContainersStorageScan) -> [Finding] {
    let layerPath = driverRoot + "/" + id
    var findings: [Finding] = []
    if let link = scan.driver.linkNames[id], scan.driver.links[link] == nil {
      findings.append(
        missingLink(
          layer: id, path: layerPath + "/link",
          fact: "link names l/\(link), which does not exist"))
    }
    for entry in scan.driver.lowerEntries[id] ?? [] {
      let link = entry.hasPrefix("l/") ? String(entry.dropFirst(2)) : entry
      guard scan.driver.links[link] == nil else { continue }
      findings.append(
        missingLink(
          layer: id, path: layerPath + "/lower",
          fact: "lower names \(entry), which does not exist"))
    }
    return findings
  }

  private func missingLink(layer: String, path: String, fact: String) -> Finding {
    Finding(
      kind: .brokenLayerLink, store: name, id: layer, path: path, evidence: [fact],
      nextStep: "containers/storage recreates missing short links when it next mounts a"
        + " layer; if mounting still fails, remove and pull the image again.")
  }
}
