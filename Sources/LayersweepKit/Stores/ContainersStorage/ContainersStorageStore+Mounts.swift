import Foundation

// MARK: - Mount counts and `merged` directories

extension ContainersStorageStore {
  /// Compares the mount counts of `mountpoints.json` with what is mounted on each layer's
  /// `merged`, and reports files left in a `merged` that nothing is mounted on.
  ///
  /// All are `dead-mount` findings, distinguished by `details["reason"]`. None is
  /// cleanable here, because podman resets a count, the liveness cross-checks judge a mount,
  /// and files in `merged` may be data a process wrote after the unmount.
  func mountFindings(_ scan: ContainersStorageScan) -> [Finding] {
    guard scan.metadata.isMountStoreComplete else { return [] }
    var findings = recordedButNotMounted(scan)
    findings += mountedButNotRecorded(scan)
    findings += strayMergedFiles(scan)
    return findings
  }

  private func isMounted(_ id: String, _ scan: ContainersStorageScan) -> Bool {
    let merged = driverRoot + "/" + id + "/merged"
    return scan.mounts.contains { $0.target == merged }
      || scan.driver.merged[id]?.isMountPoint == true
  }

  private func recordedButNotMounted(_ scan: ContainersStorageScan) -> [Finding] {
    let recorded = scan.metadata.mounts.filter { ($0.count ?? 0) > 0 }
    return recorded.filter { !isMounted($0.id, scan) }.map { mount in
      Finding(
        kind: .deadMount, store: name, id: mount.id, path: driverRoot + "/" + mount.id + "/merged",
        evidence: [
          "mountpoints.json records \(mount.count ?? 0) mount(s), but nothing is mounted there"
        ],
        nextStep: "Run `podman umount --force` on the container that uses the layer to reset"
          + " the count.",
        details: ["reason": "recorded-not-mounted"])
    }
  }

  private func mountedButNotRecorded(_ scan: ContainersStorageScan) -> [Finding] {
    let counted = Set(scan.metadata.mounts.filter { ($0.count ?? 0) > 0 }.map(\.id))
    let mountedIDs = Set(scan.mounts.compactMap { layerID(mergedTarget: $0.target) })
      .union(scan.driver.merged.filter(\.value.isMountPoint).keys)
    return mountedIDs.subtracting(counted).map { id in
      Finding(
        kind: .deadMount, store: name, id: id, path: driverRoot + "/" + id + "/merged",
        evidence: ["merged is mounted, but mountpoints.json records no mount of the layer"],
        nextStep: "Check that no container runs on it, then unmount it with `umount`.",
        details: ["reason": "mounted-not-recorded"])
    }
  }

  /// Extracts the layer id from a mount target `<driverRoot>/<id>/merged`.
  private func layerID(mergedTarget target: String) -> String? {
    guard target.hasPrefix(driverRoot + "/"), target.hasSuffix("/merged") else { return nil }
    let id = String(target.dropFirst(driverRoot.count + 1).dropLast("/merged".count))
    return StoreIdentifier.isValid(id) ? id : nil
  }

  private func strayMergedFiles(_ scan: ContainersStorageScan) -> [Finding] {
    scan.driver.merged.compactMap { id, state in
      guard !state.entries.isEmpty, !isMounted(id, scan) else { return nil }
      let shown = state.entries.prefix(5).joined(separator: ", ")
      return Finding(
        kind: .deadMount, store: name, id: id, path: driverRoot + "/" + id + "/merged",
        evidence: [
          "merged is not mounted but holds \(state.entries.count) entries: \(shown)"
        ],
        nextStep: "Inspect the files, which a process wrote after the layer was unmounted,"
          + " and move or delete them; a later mount hides them.",
        details: ["reason": "stray-files-in-merged"])
    }
  }
}
