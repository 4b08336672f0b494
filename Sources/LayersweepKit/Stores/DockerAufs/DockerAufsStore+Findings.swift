import Foundation

// MARK: - Orphaned, stray and half-removed entries, dead mounts

extension DockerAufsStore {
  /// `diff/<id>` directories that no layerdb `cache-id`, `mount-id` or `init-id` names,
  /// with their `layers/<id>` file and `mnt/<id>` mount point. None is reported when the
  /// layer database could not be read completely, and one whose directory is a branch or
  /// mount point of a live aufs mount is not cleanable.
  func orphanedLayers(_ scan: DockerAufsScan, now: Date) -> [Finding] {
    guard scan.database.errors.isEmpty else { return [] }
    let referenced = scan.database.referencedDirectories
    let candidates = scan.diffNames.filter {
      !$0.hasSuffix("-removing") && StoreIdentifier.isValid($0) && !referenced.contains($0)
    }
    return candidates.map { id in
      let path = driverRoot + "/diff/" + id
      var evidence = ["no cache-id, mount-id or init-id in image/aufs/layerdb names it"]
      var details: [String: String] = [:]
      if scan.layersNames.contains(id) { details["layers_file"] = driverRoot + "/layers/" + id }
      if scan.mountPointNames.contains(id) { details["mount_point"] = driverRoot + "/mnt/" + id }
      let users = mountsUsing(id, scan)
      evidence += users.map { "the aufs mount at \($0) uses it" }
      return Finding(
        kind: .orphanedLayer, store: name, id: id, path: path, evidence: evidence,
        ageSeconds: age(of: path, now: now), cleanable: users.isEmpty,
        nextStep: users.isEmpty ? nil : "Unmount \(users.joined(separator: ", ")) first.",
        details: details)
    }
  }

  /// Targets of the aufs mounts that use layer `id` as a branch or mount point.
  private func mountsUsing(_ id: String, _ scan: DockerAufsScan) -> [String] {
    let diff = driverRoot + "/diff/" + id
    return scan.mounts.filter { mount in
      mount.target == driverRoot + "/mnt/" + id
        || (mount.branches ?? []).contains { $0.path == diff }
    }.map(\.target)
  }

  /// `mnt/<id>` directories and `layers/<id>` files whose layer has no `diff/<id>`: the
  /// remains of a removal that stopped after deleting the layer's contents.
  func strayEntries(_ scan: DockerAufsScan, now: Date) -> [Finding] {
    guard scan.database.errors.isEmpty else { return [] }
    let layers = Set(scan.diffNames)
    let mounted = Set(scan.mounts.map(\.target))
    var findings: [Finding] = []
    for (folder, names) in [("mnt", scan.mountPointNames), ("layers", scan.layersNames)] {
      for id in names where Self.isStray(id, layers: layers) {
        let path = driverRoot + "/" + folder + "/" + id
        guard !mounted.contains(path) else { continue }
        findings.append(
          Finding(
            kind: .orphanedLayer, store: name, id: id, path: path,
            evidence: ["\(folder)/\(id) exists but diff/\(id) does not"],
            ageSeconds: age(of: path, now: now), cleanable: true,
            details: ["reason": folder == "mnt" ? "stray-mount-point" : "stray-layers-file"]))
      }
    }
    return findings
  }

  private static func isStray(_ id: String, layers: Set<String>) -> Bool {
    !id.hasSuffix("-removing") && StoreIdentifier.isValid(id) && !layers.contains(id)
  }

  /// `diff/<id>-removing` and `mnt/<id>-removing` left by an interrupted removal, and
  /// pending layerdb entries (`<chainID>-<random>-removing`, `tmp/write-set-*`).
  func pendingRemovals(_ scan: DockerAufsScan, now: Date) -> [Finding] {
    var findings: [Finding] = []
    for (folder, names) in [("diff", scan.diffNames), ("mnt", scan.mountPointNames)] {
      for id in names where id.hasSuffix("-removing") && StoreIdentifier.isValid(id) {
        let path = driverRoot + "/" + folder + "/" + id
        findings.append(
          Finding(
            kind: .staleRemoval, store: name, id: id, path: path,
            evidence: ["the aufs driver renamed it for removal and did not finish"],
            ageSeconds: age(of: path, now: now), cleanable: true))
      }
    }
    for entry in scan.database.pendingEntries {
      let id = (entry.path as NSString).lastPathComponent
      findings.append(
        Finding(
          kind: .staleRemoval, store: name, id: id, path: entry.path,
          evidence: ["layerdb entry of an unfinished removal or transaction"],
          ageSeconds: age(of: entry.path, now: now), cleanable: scan.database.errors.isEmpty,
          details: entry.cacheID.map { ["cache_id": $0] } ?? [:]))
    }
    return findings
  }

  /// aufs mounts below `mnt/` that are no container's `mount-id`, or whose branches name
  /// directories that no longer exist. Not cleanable here: the liveness cross-checks
  /// decide whether a process still uses the mount.
  func deadMounts(_ scan: DockerAufsScan) -> [Finding] {
    let containerLayers = Set(scan.database.mountIDs.values.compactMap(\.first))
    return scan.mounts.compactMap { mount in
      let id = (mount.target as NSString).lastPathComponent
      let missing = (mount.branches ?? []).filter {
        !FileManager.default.fileExists(atPath: $0.path)
      }
      var evidence: [String] = []
      if !containerLayers.contains(id) {
        evidence.append("no container's mount-id in image/aufs/layerdb/mounts is \(id)")
      }
      evidence += missing.map { "branch \($0.path) does not exist" }
      guard !evidence.isEmpty else { return nil }
      return Finding(
        kind: .deadMount, store: name, id: id, path: mount.target,
        evidence: evidence + [branchSummary(mount)],
        nextStep: "Check that no process uses it, then unmount it with `umount`.",
        details: mount.superblockID.map { ["aufs_si": $0] } ?? [:])
    }
  }

  private func branchSummary(_ mount: AufsMount) -> String {
    guard let branches = mount.branches else {
      return
        "branches unknown: no si_\(mount.superblockID ?? "?") in \(sysfsRoot) and no br: option"
    }
    return "branches: " + branches.map { "\($0.path)=\($0.permission)" }.joined(separator: ":")
  }
}
