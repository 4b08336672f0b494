import Foundation

extension DockerOverlay2Audit {
  /// `stale-removal`: `-removing` layer metadata, uncommitted `layerdb/tmp/write-set-*`
  /// transactions, and chain entries that lack a mandatory file.
  func staleRemovals() -> [Finding] {
    var findings = layerDatabase.removals.map(removalFinding)
    findings += layerDatabase.transactions.map(transactionFinding)
    let dependentChains = chainsReachedByImagesOrContainers()
    for chain in layerDatabase.chains.values.sorted(by: { $0.chainID < $1.chainID })
    where !chain.missingFiles.isEmpty {
      findings.append(
        incompleteChainFinding(chain, isDependedOn: dependentChains.contains(chain.chainID)))
    }
    return findings
  }

  private func removalFinding(_ removal: DockerPendingEntry) -> Finding {
    var evidence = [
      "layerdb/sha256/\(removal.name) is layer metadata renamed for deletion, and the "
        + "deletion never finished."
    ]
    var paths = [removal.path]
    if let cacheID = removal.cacheID {
      if layerIsDirectory(cacheID) {
        evidence.append(
          "Its cache-id names overlay2/\(cacheID), which still exists: removing the layer "
            + "directory failed, for example on an immutable file or a busy mount.")
        paths.append(layout.layer(cacheID))
      } else {
        evidence.append("Its layer directory overlay2/\(cacheID) is already gone.")
      }
    }
    return Finding(
      kind: .staleRemoval, store: store, id: removal.name, path: removal.path,
      evidence: evidence, reclaimableBytes: reclaimableBytes(paths),
      ageSeconds: age(removal.modified), cleanable: true,
      details: removal.cacheID.map { ["layer_id": $0] } ?? [:])
  }

  private func transactionFinding(_ transaction: DockerPendingEntry) -> Finding {
    var evidence = [
      "layerdb/tmp/\(transaction.name) is an uncommitted layer metadata transaction: a pull, "
        + "import or build stopped before committing it."
    ]
    if let cacheID = transaction.cacheID {
      let state = layerIsDirectory(cacheID) ? "which still exists" : "which is gone"
      evidence.append("It names the layer directory overlay2/\(cacheID), \(state).")
    }
    return Finding(
      kind: .staleRemoval, store: store, id: transaction.name, path: transaction.path,
      evidence: evidence, reclaimableBytes: reclaimableBytes([transaction.path]),
      ageSeconds: age(transaction.modified), cleanable: true,
      details: transaction.cacheID.map { ["layer_id": $0] } ?? [:])
  }

  private func incompleteChainFinding(_ chain: DockerLayerChain, isDependedOn: Bool) -> Finding {
    let path = layout.chain(chain.chainID)
    var evidence = [
      "layerdb/sha256/\(chain.chainID) lacks the mandatory file(s) "
        + "\(chain.missingFiles.joined(separator: ", ")), so Docker cannot load this layer "
        + "and a pull of the same layer fails."
    ]
    if isDependedOn {
      evidence.append("An image or container still depends on it, so clean leaves it alone.")
    }
    return Finding(
      kind: .staleRemoval, store: store, id: "sha256:\(chain.chainID)", path: path,
      evidence: evidence, reclaimableBytes: reclaimableBytes([path]),
      ageSeconds: age(chain.modified), cleanable: !isDependedOn,
      nextStep: isDependedOn
        ? "Remove the images that use this layer (docker rmi) and pull them again." : nil,
      details: chain.cacheID.map { ["layer_id": $0] } ?? [:])
  }

  /// Chain IDs reached from an image's `rootfs.diff_ids`, a container's layer `parent` or
  /// the build cache, following `parent` files.
  func chainsReachedByImagesOrContainers() -> Set<String> {
    var roots: [String] = []
    for image in images.images.values { roots += image.chainIDs }
    for mount in layerDatabase.mounts.values {
      if let parent = mount.parentChainID { roots.append(parent) }
    }
    roots += buildCache?.chainIDs ?? []
    // A chain already reached has its whole ancestry reached too, so each walk stops there.
    var reached = Set<String>()
    for root in roots {
      var next: String? = root
      while let current = next, reached.insert(current).inserted {
        next = layerDatabase.chains[current]?.parentChainID
      }
    }
    return reached
  }

  /// `unreferenced-layer-chain`: committed chains that no image, container or build cache
  /// reaches. Chains that lack mandatory files are reported as stale-removal instead.
  func unreferencedChains() -> [Finding] {
    let reached = chainsReachedByImagesOrContainers()
    return layerDatabase.chains.values.sorted { $0.chainID < $1.chainID }
      .filter { !reached.contains($0.chainID) && $0.missingFiles.isEmpty }
      .map(unreferencedChain)
  }

  private func unreferencedChain(_ chain: DockerLayerChain) -> Finding {
    var evidence = [
      "No image's rootfs.diff_ids and no container's layerdb/mounts/*/parent reach layer "
        + "chain sha256:\(chain.chainID); Docker keeps it loaded, but neither prune nor rmi "
        + "can remove it."
    ]
    var paths = [layout.chain(chain.chainID)]
    if let cacheID = chain.cacheID, layerIsDirectory(cacheID) {
      evidence.append("Its cache-id names overlay2/\(cacheID).")
      paths.append(layout.layer(cacheID))
    }
    if hasBuildCache && buildCache == nil {
      evidence.append(
        "buildkit/snapshots.db was not read, so BuildKit's build cache may still use it.")
    }
    evidence += issues.hiddenChainReferences.map { $0 + " An image may still use this chain." }
    return Finding(
      kind: .unreferencedLayerChain, store: store, id: "sha256:\(chain.chainID)",
      path: layout.chain(chain.chainID), evidence: evidence,
      reclaimableBytes: reclaimableBytes(paths), ageSeconds: age(chain.modified),
      cleanable: false,
      nextStep: "With dockerd stopped, remove \(layout.chain(chain.chainID)) together with "
        + "its overlay2 directory; clean does not act on layer chains.",
      details: chain.cacheID.map { ["layer_id": $0] } ?? [:])
  }
}
