import Foundation

extension DockerOverlay2Audit {
  /// `orphaned-container`: read-write layer records without a container directory, and
  /// container directories that Docker 20.10 no longer loads at startup or left Dead.
  ///
  /// Docker's `restore` skips a container whose `config.v2.json` is missing or invalid,
  /// whose recorded `ID` differs from its directory name, or whose `layerdb/mounts/<id>`
  /// cannot be loaded. A container left Dead (its removal failed, or dockerd stopped while
  /// `RemovalInProgress` was set) stays listed until `docker rm -f` succeeds.
  func orphanedContainers() -> [Finding] {
    let directoryNames = Set(containers.map(\.name))
    var findings = layerDatabase.mounts.values.sorted { $0.containerID < $1.containerID }
      .filter { !directoryNames.contains($0.containerID) }
      .map(leakedReadWriteLayer)
    for directory in containers {
      if let reason = untrackedReason(directory) {
        findings.append(untrackedContainer(directory, reason: reason))
      } else if let finding = deadContainer(directory) {
        findings.append(finding)
      }
    }
    return findings
  }

  /// The overlay2 directories of a container's read-write layer that exist.
  private func layerPaths(_ mount: DockerContainerMount?) -> [String] {
    [mount?.mountID, mount?.initID].compactMap { $0 }.filter(layerIsDirectory)
      .map(layout.layer)
  }

  private func leakedReadWriteLayer(_ mount: DockerContainerMount) -> Finding {
    var evidence = [
      "layerdb/mounts/\(mount.containerID) records a read-write layer, but "
        + "containers/\(mount.containerID) does not exist, so Docker never removes the layer."
    ]
    let layerNames = [mount.mountID, mount.initID].compactMap { $0 }
    if !layerNames.isEmpty {
      evidence.append(
        "Its layers: " + layerNames.map { "overlay2/\($0)" }.joined(separator: ", ") + ".")
    }
    evidence += apiEvidence(containerID: mount.containerID)
    return Finding(
      kind: .orphanedContainer, store: store, id: mount.containerID, path: mount.path,
      evidence: evidence, reclaimableBytes: reclaimableBytes([mount.path] + layerPaths(mount)),
      ageSeconds: age(mount.modified), cleanable: false,
      nextStep: "With dockerd stopped, remove \(mount.path) and the overlay2 directories "
        + "it names.",
      details: mount.mountID.map { ["layer_id": $0] } ?? [:])
  }

  /// Why Docker would not load the container at startup, or nil when it would.
  private func untrackedReason(_ directory: DockerContainerDirectory) -> String? {
    if let reason = directory.unloadableReason { return reason }
    let driver = directory.config?.driver ?? ""
    guard driver.isEmpty || driver == "overlay2" else { return nil }
    guard layerDatabase.mounts[directory.name] == nil else { return nil }
    return "there is no layerdb/mounts/\(directory.name) for its read-write layer "
      + "(dockerd logs 'failed to load container mount')"
  }

  private func untrackedContainer(_ directory: DockerContainerDirectory, reason: String)
    -> Finding
  {
    let mount = layerDatabase.mounts[directory.name]
    var evidence = [
      "Docker cannot load containers/\(directory.name) at startup because \(reason), so it "
        + "no longer tracks this container."
    ]
    if let mountID = mount?.mountID {
      evidence.append("layerdb/mounts/\(directory.name) still holds its layer overlay2/\(mountID).")
    }
    evidence += apiEvidence(containerID: directory.name)
    return Finding(
      kind: .orphanedContainer, store: store, id: directory.name, path: directory.path,
      evidence: evidence,
      reclaimableBytes: reclaimableBytes([directory.path] + layerPaths(mount)),
      ageSeconds: age(directory.modified), cleanable: false,
      nextStep: "Inspect \(directory.path) by hand; with dockerd stopped it can be removed "
        + "together with its layerdb/mounts entry and layers.")
  }

  private func deadContainer(_ directory: DockerContainerDirectory) -> Finding? {
    guard let state = directory.config?.state else { return nil }
    let evidence: String
    if state.dead == true {
      evidence =
        "config.v2.json records the container as Dead: its removal started and failed, for "
        + "example because its read-write layer could not be deleted."
    } else if state.removalInProgress == true {
      evidence =
        "config.v2.json records RemovalInProgress: a removal is running, or dockerd stopped "
        + "during one and marks the container Dead at its next start."
    } else {
      return nil
    }
    let mount = layerDatabase.mounts[directory.name]
    return Finding(
      kind: .orphanedContainer, store: store, id: directory.name, path: directory.path,
      evidence: [evidence] + apiEvidence(containerID: directory.name),
      reclaimableBytes: reclaimableBytes([directory.path] + layerPaths(mount)),
      ageSeconds: age(directory.modified), cleanable: false,
      nextStep: "Run docker rm -f \(directory.name); if it fails again, fix the cause its "
        + "error names (an immutable file, a busy mount) first.")
  }

  /// One record per container directory with a usable config.
  mutating func containerRecords() -> [ContainerRecord] {
    var records: [ContainerRecord] = []
    for directory in containers {
      let mount = layerDatabase.mounts[directory.name]
      guard
        var record = directory.record(
          store: store, layout: layout, mount: mount, issues: &issues)
      else { continue }
      record.runtimeReportedState = apiStates?[directory.name]
      records.append(record)
    }
    return records
  }
}
