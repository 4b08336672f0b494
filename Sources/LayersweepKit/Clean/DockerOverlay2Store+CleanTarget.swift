import Foundation

/// Re-verification for Docker overlay2 findings. It reads the store again through the same
/// code the audit uses (`DockerOverlay2Audit`), against the mount table read just now and the
/// mount namespaces of every process read afresh. An item is confirmed only when that fresh
/// read reports the same finding (kind, id and path), still cleanable.
extension DockerOverlay2Store: CleanTarget {
  public var cleanRoot: String { paths.dockerRoot }

  public func reverify(_ finding: Finding, context: ReverificationContext) -> Reverification {
    let generic = reverifyPath(finding, kinds: [.orphanedLayer, .staleRemoval], context: context)
    guard generic == .confirmed, let path = finding.path else { return generic }
    let audit: DockerOverlay2Audit
    do {
      audit = try freshAudit(hostMounts: context.mounts, now: context.now)
    } catch {
      return .changed("\(error)")
    }
    let fresh = audit.findings()
    let same = confirmSameFinding(finding, in: fresh)
    guard same == .confirmed, let current = fresh.first(where: { $0.isSameObject(as: finding) })
    else { return same }
    if let reason = orphanedLayerUse(finding, path: path, audit: audit) { return .changed(reason) }
    return reverifyCompanionLayer(of: current, audit: audit, mounts: context.mounts)
  }

  /// Paths to quarantine with the item: an orphaned layer's `l/<short-id>` link, and for a
  /// `layerdb/sha256` entry the layer directory its `cache-id` names (with that layer's link)
  /// when nothing else names or mounts that directory. Read afresh, with the mount table,
  /// right after `reverify` confirmed, so a change in between only leaves the layer behind.
  public func companions(of finding: Finding) -> [String] {
    guard let path = finding.path,
      let mounts = try? MountInfoReader.readHostTable(proc: paths.proc),
      let audit = try? freshAudit(hostMounts: mounts, now: Date())
    else { return [] }
    switch finding.kind {
    case .orphanedLayer:
      guard path == audit.layout.layer(finding.id) else { return [] }
      return [audit.shortLinkPath(ofLayer: finding.id)].compactMap { $0 }
    case .staleRemoval:
      guard let layerID = audit.layerOwnedOnly(by: path),
        reverifyCompanionLayer(of: finding, audit: audit, mounts: mounts) == .confirmed
      else { return [] }
      return [audit.layout.layer(layerID)]
        + [audit.shortLinkPath(ofLayer: layerID)].compactMap { $0 }
    default:
      return []
    }
  }

  /// Checks an orphaned layer beyond the audit's rules: no other layer's `lower` file may
  /// list its short link, and an unreadable BuildKit database may name any directory.
  private func orphanedLayerUse(_ finding: Finding, path: String, audit: DockerOverlay2Audit)
    -> String?
  {
    guard finding.kind == .orphanedLayer else { return nil }
    if let (user, shortID) = audit.layerListing(shortLinkOf: finding.id) {
      return "layer \(user) lists l/\(shortID), the short link of \(path), in its lower file"
    }
    if audit.hasUnreadBuildCache {
      return
        "\(audit.layout.buildCacheDatabase) exists but could not be read, so it may name \(path)"
    }
    return nil
  }

  /// For a `layerdb/sha256` entry whose layer directory would be quarantined with it, checks
  /// that no mount uses that directory.
  private func reverifyCompanionLayer(
    of finding: Finding, audit: DockerOverlay2Audit, mounts: [MountEntry]
  ) -> Reverification {
    guard finding.kind == .staleRemoval, let path = finding.path,
      let layerID = audit.layerOwnedOnly(by: path)
    else { return .confirmed }
    let layerPath = audit.layout.layer(layerID)
    if let use = audit.mountedLayers[layerID] {
      return .changed("its layer directory \(layerPath) is in use: \(use)")
    }
    do {
      let observation = try PathObservation.read(layerPath)
      if let use = PathReverifier.mountUse(of: layerPath, observation: observation, mounts: mounts)
      {
        return .changed(use)
      }
    } catch {
      return .changed("\(error)")
    }
    return .confirmed
  }

  /// Reads the store as the audit does, without asking the Docker API and without measuring
  /// bytes. The host namespace's table is `hostMounts`; the other namespaces are read from
  /// `paths.proc` now, so a layer used in any namespace stays protected.
  func freshAudit(hostMounts: [MountEntry], now: Date) throws -> DockerOverlay2Audit {
    let layout = DockerOverlay2Layout(root: paths.dockerRoot, execRoot: paths.dockerExecRoot)
    let context = AuditContext(paths: paths, now: now, measuresBytes: false)
    var audit = DockerOverlay2Audit(store: name, layout: layout, context: context)
    audit.read(buildCacheReader: buildCacheReader)
    var errors: [AuditError] = []
    do {
      let processes = try ProcReader(procPath: paths.proc).readProcesses(errors: &errors)
      var namespaces = try NamespaceScanner(procPath: paths.proc)
        .scan(processes: processes, errors: &errors)
      if let host = namespaces.firstIndex(where: \.isHost), !hostMounts.isEmpty {
        namespaces[host].mounts = hostMounts
      }
      audit.mountedLayers = audit.layersInUse(host: HostSnapshot(namespaces: namespaces))
    } catch {
      throw CleanError.unreadableFile(
        path: paths.proc, reason: "the mount namespaces could not be read (\(error))")
    }
    return audit
  }
}

extension Finding {
  /// Returns whether `other` names the same object: the same kind, store, id and path.
  func isSameObject(as other: Finding) -> Bool {
    kind == other.kind && store == other.store && id == other.id && path == other.path
  }
}
