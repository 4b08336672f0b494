import Foundation

extension CrossChecks {
  typealias Owner = (record: ContainerRecord, liveness: ContainerLiveness)

  /// `dead-mount`: host-namespace mounts below a store's mount roots whose container is not
  /// live, or that no container claims. One finding per mount point; id and path are the
  /// mount point.
  func deadMountFindings() -> [Finding] {
    var latestByTarget: [String: (mount: MountEntry, count: Int)] = [:]
    for mount in host.hostMounts {
      latestByTarget[mount.target] = (mount, (latestByTarget[mount.target]?.count ?? 0) + 1)
    }
    return latestByTarget.values.compactMap { mount, count in
      guard let store = store(owningMountPoint: mount.target) else { return nil }
      let owner = claimant(of: mount.target)
      if owner?.liveness.mayBeLive == true { return nil }
      return deadMountFinding(mount, count: count, store: store.status.name, owner: owner)
    }
  }

  private func deadMountFinding(_ mount: MountEntry, count: Int, store: String, owner: Owner?)
    -> Finding
  {
    var evidence = [
      "\(mount.fsType) mount of \(mount.source) at \(mount.target) in the host mount namespace "
        + "(mount id \(mount.mountID))"
    ]
    if count > 1 { evidence.append("the mount point is mounted \(count) times") }
    evidence.append(Self.ownerSentence(owner))

    let isCleanable = owner != nil && isStoreDataComplete
    var details = ["fs_type": mount.fsType, "mount_id": String(mount.mountID)]
    details["container"] = owner?.record.id
    // A runtime mounts a container's root filesystem before it starts the container, so the
    // mount of a record written moments ago may belong to a container starting right now.
    // The mount table gives no mount time, so the record's age is used in its place, and
    // --min-age then protects such a mount.
    let age = owner?.record.recordModifiedAt.map {
      Int64(now.timeIntervalSince($0).rounded(.down))
    }
    return Finding(
      kind: .deadMount, store: store, id: mount.target, path: mount.target, evidence: evidence,
      ageSeconds: age, cleanable: isCleanable,
      nextStep: isCleanable ? nil : deadMountNextStep(mount, owner),
      details: details)
  }

  private func deadMountNextStep(_ mount: MountEntry, _ owner: Owner?) -> String {
    if owner == nil {
      return "No container record claims this mount: find out what mounted it before "
        + "unmounting it with umount \(mount.target)."
    }
    return "Fix the read errors listed in this report and audit again: clean does not "
      + "unmount while container records may be missing."
  }

  static func ownerSentence(_ owner: Owner?) -> String {
    guard let owner else { return "no container record claims this mount point" }
    return "container \(owner.record.id) is not live: \(owner.liveness.explanation)"
  }

  // MARK: - Leaked mounts

  /// `leaked-mount`: store mounts, or overlays built on a store's layers, that another mount
  /// namespace holds while their container is not live. One finding per mount point (the
  /// target as seen inside the holding namespaces), listing every holder pid.
  func leakedMountFindings() -> [Finding] {
    let hostSuperblocks = Dictionary(grouping: host.hostMounts, by: Self.superblockKey)
    let layers = LayerDirectoryIndex(stores: stores)
    var hostInodes = Set(host.namespaces.filter(\.isHost).map(\.inode))
    var leaks: [String: LeakedMount] = [:]

    for namespace in host.namespaces where hostInodes.insert(namespace.inode).inserted {
      for mount in namespace.mounts {
        guard let leak = leakedMount(mount, hostSuperblocks: hostSuperblocks, layers: layers)
        else { continue }
        var entry = leaks[mount.target] ?? leak
        if entry.namespaces.last?.inode != namespace.inode { entry.namespaces.append(namespace) }
        leaks[mount.target] = entry
      }
    }
    return leaks.values.map(leakedMountFinding)
  }

  /// The facts gathered about one leaked mount point while the namespaces are scanned.
  struct LeakedMount {
    var mount: MountEntry
    var store: String
    var owner: Owner?
    var hostTarget: String?
    var upper: LayerDirectoryIndex.Layer?
    var lower: [LayerDirectoryIndex.Layer]
    var namespaces: [MountNamespace] = []
  }

  private func leakedMount(
    _ mount: MountEntry, hostSuperblocks: [String: [MountEntry]], layers: LayerDirectoryIndex
  ) -> LeakedMount? {
    let owningStore = store(owningMountPoint: mount.target)
    let (upper, lower) = layers.layers(of: mount)
    guard let storeName = owningStore?.status.name ?? upper?.store ?? lower.first?.store
    else { return nil }

    let hostMount = hostSuperblocks[Self.superblockKey(mount)]?.last
    let owner: Owner?
    if let hostMount {
      // The host still has this filesystem mounted: judge it by the host mount point, and
      // leave it alone when that lies outside every store (a build or another tool uses it).
      guard store(owningMountPoint: hostMount.target) != nil else { return nil }
      owner = claimant(of: hostMount.target)
    } else {
      let merged = upper.map { CrossChecks.parent(of: $0.directory) + "/merged" }
      owner = claimant(of: mount.target) ?? merged.flatMap(claimant(of:))
    }
    if owner?.liveness.mayBeLive == true { return nil }
    return LeakedMount(
      mount: mount, store: storeName, owner: owner, hostTarget: hostMount?.target, upper: upper,
      lower: lower)
  }

  private func leakedMountFinding(_ leak: LeakedMount) -> Finding {
    let mount = leak.mount
    let inodes = leak.namespaces.map { String($0.inode) }
    let pids = leak.namespaces.flatMap(\.pids).sorted()

    var evidence = [
      "\(mount.fsType) mount of \(mount.source) at \(mount.target) is held in mount "
        + "namespace \(inodes.joined(separator: ", "))"
    ]
    if let upper = leak.upper { evidence.append("its upperdir is layer \(upper.id)") }
    if !leak.lower.isEmpty {
      evidence.append(
        "its lowerdirs include layers \(leak.lower.map(\.id).joined(separator: ", "))")
    }
    evidence.append(Self.ownerSentence(leak.owner))
    evidence.append(
      leak.hostTarget.map { "the host mount namespace still has it at \($0)" }
        ?? "the host mount namespace no longer has it")
    for namespace in leak.namespaces {
      evidence += namespace.pids.map {
        "holder \(describeProcess($0)) in mount namespace \(namespace.inode)"
      }
    }
    return Finding(
      kind: .leakedMount, store: leak.store, id: mount.target, path: mount.target,
      evidence: evidence, cleanable: false,
      nextStep: leakedMountNextStep(mount.target, pids: pids),
      details: leakedMountDetails(leak, inodes: inodes, pids: pids))
  }

  private func leakedMountNextStep(_ target: String, pids: [Int32]) -> String {
    let pid = pids.first.map(String.init) ?? "<pid>"
    return "Stop the holder processes, or unmount it inside their mount namespace with "
      + "nsenter --target \(pid) --mount umount \(target)."
  }

  private func leakedMountDetails(_ leak: LeakedMount, inodes: [String], pids: [Int32])
    -> [String: String]
  {
    var details = [
      "fs_type": leak.mount.fsType, "namespaces": inodes.joined(separator: ","),
      "holder_pids": pids.map(String.init).joined(separator: ","),
    ]
    details["container"] = leak.owner?.record.id
    details["host_mount_point"] = leak.hostTarget
    return details
  }

  /// Identifies the mounted filesystem and the subtree shown: equal keys in two namespaces
  /// mean the same mount was copied. `nsfs` mounts share one device, so the root
  /// (`net:[<inode>]`) distinguishes them.
  static func superblockKey(_ mount: MountEntry) -> String {
    "\(mount.device) \(mount.root)"
  }
}
