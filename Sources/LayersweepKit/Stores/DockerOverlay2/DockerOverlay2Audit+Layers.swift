import Foundation

extension DockerOverlay2Audit {
  /// Collects every overlay2 directory name that some metadata or the build cache names.
  func collectReferencedLayerIDs() -> Set<String> {
    var names = Set<String>()
    for chain in layerDatabase.chains.values {
      if let cacheID = chain.cacheID { names.insert(cacheID) }
    }
    for removal in layerDatabase.removals {
      if let cacheID = removal.cacheID { names.insert(cacheID) }
    }
    for mount in layerDatabase.mounts.values {
      if let mountID = mount.mountID { names.insert(mountID) }
      if let initID = mount.initID { names.insert(initID) }
    }
    names.formUnion(buildCache?.snapshotKeys ?? [])
    return names
  }

  /// `orphaned-layer`: overlay2 entries that no layer metadata and no build cache names.
  func orphanedLayers() -> [Finding] {
    let referenced = referencedLayerIDs
    var transactionOwners: [String: String] = [:]
    for transaction in layerDatabase.transactions {
      if let cacheID = transaction.cacheID { transactionOwners[cacheID] = transaction.name }
    }
    return layers.values.sorted { $0.name < $1.name }
      .filter { !referenced.contains($0.name) }
      .map { orphanedLayer($0, transaction: transactionOwners[$0.name]) }
  }

  private func orphanedLayer(_ entry: StoreFileSystem.Entry, transaction: String?) -> Finding {
    let path = layout.layer(entry.name)
    let isDockerShaped = StoreIdentifier.matches(entry.name, shape: .dockerLayer)
    var evidence = [
      "overlay2/\(entry.name) is named by no layerdb/sha256/*/cache-id (including -removing "
        + "entries) and no layerdb/mounts/*/mount-id or init-id."
    ]
    if let transaction {
      evidence.append(
        "Only the uncommitted transaction layerdb/tmp/\(transaction) names it: a pull, import "
          + "or build stopped before committing the layer.")
    }
    evidence += initLayerEvidence(entry.name)
    evidence += shapeEvidence(entry, isDockerShaped: isDockerShaped)
    if let mountUse = mountedLayers[entry.name] { evidence.append(mountUse) }
    let isVerified =
      isDockerShaped && entry.type == .directory && mountedLayers[entry.name] == nil
    let isCleanable = isVerified && issues.hiddenReferences.isEmpty
    if isVerified && !isCleanable {
      evidence += issues.hiddenReferences
      evidence.append("A reference to it may have gone unseen, so clean leaves it alone.")
    }
    return Finding(
      kind: .orphanedLayer, store: store, id: entry.name, path: path, evidence: evidence,
      reclaimableBytes: entry.type == .directory ? reclaimableBytes([path]) : 0,
      ageSeconds: age(entry.modified), cleanable: isCleanable,
      nextStep: isCleanable
        ? nil : "Check by hand what created \(path) before removing it.",
      details: transaction.map { ["transaction": $0] } ?? [:])
  }

  /// Notes that tie an init layer and its container layer together.
  private func initLayerEvidence(_ name: String) -> [String] {
    if name.hasSuffix("-init") {
      return [
        "It is a container's init layer without a container: docker create was interrupted "
          + "or its cleanup failed."
      ]
    }
    guard layers[name + "-init"] != nil, !referencedLayerIDs.contains(name + "-init") else {
      return []
    }
    return ["Its init layer overlay2/\(name)-init is orphaned too."]
  }

  /// Why a name that Docker would not create, or a non-directory, is not cleanable.
  private func shapeEvidence(_ entry: StoreFileSystem.Entry, isDockerShaped: Bool) -> [String] {
    switch entry.type {
    case .symbolicLink:
      let target = StoreFileSystem.linkTarget(of: layout.layer(entry.name))
      let shown = if case .value(let text) = target { StoreIdentifier.displayed(text) } else { "?" }
      return ["It is a symbolic link to \(shown), not a directory; it was not followed."]
    case .directory: break
    default: return ["It is not a directory."]
    }
    if isDockerShaped { return [] }
    guard hasBuildCache else {
      return ["Its name is not a Docker layer id, and no BuildKit build cache database exists."]
    }
    guard buildCache != nil else {
      return [
        "Its name is not a Docker layer id and buildkit/snapshots.db exists, but the build "
          + "cache database was not read, so it may belong to BuildKit's build cache."
      ]
    }
    return ["Its name is not a Docker layer id; buildkit/snapshots.db does not list it either."]
  }

  /// `dangling-layer-metadata`: a `cache-id`, `mount-id` or `init-id` naming a missing
  /// overlay2 directory, with the images and containers that depend on it.
  func danglingMetadata() -> [Finding] {
    var findings: [Finding] = []
    let dangling = layerDatabase.chains.values.sorted(by: { $0.chainID < $1.chainID })
      .compactMap { chain in
        chain.cacheID.flatMap { id in layerProblem(id).map { (chain, id, $0) } }
      }
    let containersByChain = dependentContainers(of: Set(dangling.map(\.0.chainID)))
    for (chain, cacheID, problem) in dangling {
      findings.append(
        danglingChain(
          chain, cacheID: cacheID, problem: problem,
          dependentContainers: containersByChain[chain.chainID, default: []].sorted()))
    }
    for mount in layerDatabase.mounts.values.sorted(by: { $0.containerID < $1.containerID }) {
      for (file, layerID) in [("mount-id", mount.mountID), ("init-id", mount.initID)] {
        guard let layerID, let problem = layerProblem(layerID) else { continue }
        findings.append(danglingMount(mount, file: file, layerID: layerID, problem: problem))
      }
    }
    return findings
  }

  /// Lists, for each of `chainIDs`, the labels of the containers whose layer chain reaches it.
  /// Walks each container's ancestry once, however many chains are asked about.
  private func dependentContainers(of chainIDs: Set<String>) -> [String: [String]] {
    guard !chainIDs.isEmpty else { return [:] }
    var labels: [String: [String]] = [:]
    for mount in layerDatabase.mounts.values {
      guard let parent = mount.parentChainID else { continue }
      for chainID in ancestry(of: parent) where chainIDs.contains(chainID) {
        labels[chainID, default: []].append(containerLabel(mount.containerID))
      }
    }
    return labels
  }

  private func danglingChain(
    _ chain: DockerLayerChain, cacheID: String, problem: String, dependentContainers: [String]
  ) -> Finding {
    let dependentImages = images.images.values.filter { $0.chainIDs.contains(chain.chainID) }
      .map(\.label).sorted()
    let path = layout.chain(chain.chainID) + "/cache-id"
    var evidence = [
      "layerdb/sha256/\(chain.chainID)/cache-id names overlay2/\(cacheID), \(problem)."
    ]
    evidence.append(dependents("Images", dependentImages))
    evidence.append(dependents("Containers", dependentContainers))
    return Finding(
      kind: .danglingLayerMetadata, store: store, id: cacheID, path: path, evidence: evidence,
      ageSeconds: age(chain.modified), cleanable: false,
      nextStep: "Remove the containers and images that depend on it (docker rm, docker rmi) "
        + "and pull or build the images again.",
      details: [
        "chain_id": "sha256:\(chain.chainID)",
        "images": dependentImages.joined(separator: ", "),
        "containers": dependentContainers.joined(separator: ", "),
      ])
  }

  private func danglingMount(
    _ mount: DockerContainerMount, file: String, layerID: String, problem: String
  ) -> Finding {
    let label = containerLabel(mount.containerID)
    return Finding(
      kind: .danglingLayerMetadata, store: store, id: layerID, path: mount.path + "/" + file,
      evidence: [
        "layerdb/mounts/\(mount.containerID)/\(file) names overlay2/\(layerID), \(problem).",
        "Containers that depend on it: \(label).",
      ] + apiEvidence(containerID: mount.containerID),
      ageSeconds: age(mount.modified), cleanable: false,
      nextStep: "Remove the container with docker rm -f \(mount.containerID).",
      details: ["containers": label])
  }

  private func dependents(_ noun: String, _ labels: [String]) -> String {
    labels.isEmpty
      ? "No \(noun.lowercased()) depend on it."
      : "\(noun) that depend on it: \(labels.joined(separator: ", "))."
  }
}
