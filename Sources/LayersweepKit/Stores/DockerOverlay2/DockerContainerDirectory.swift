import Foundation

/// One `containers/<id>/` directory and what Docker would make of it at startup.
struct DockerContainerDirectory {
  let name: String
  let path: String
  let modified: Date
  var config: DockerContainerConfig?
  /// Why Docker 20.10's `restore` would fail to load this container, nil when it loads.
  var unloadableReason: String?

  var configPath: String { path + "/config.v2.json" }

  /// Reads every container directory, in parallel; failures go to `issues` in listing order.
  static func readAll(_ layout: DockerOverlay2Layout, issues: inout DockerReadIssues)
    -> [DockerContainerDirectory]
  {
    let entries = DockerLayerDatabase.listing(layout.containersDirectory, issues: &issues)
    let store = issues.store
    let loaded = ParallelMap.map(entries.filter { $0.type == .directory }) { entry in
      var directory = DockerContainerDirectory(
        name: entry.name, path: layout.container(entry.name), modified: entry.modified)
      var directoryIssues = DockerReadIssues(store: store)
      directory.load(issues: &directoryIssues)
      return (directory, directoryIssues)
    }
    for (_, directoryIssues) in loaded { issues.append(directoryIssues) }
    return loaded.map(\.0)
  }

  private mutating func load(issues: inout DockerReadIssues) {
    guard StoreIdentifier.matches(name, shape: .hex64) else {
      unloadableReason = "its name is not a container id (64 hex digits)"
      return
    }
    switch StoreFileSystem.contents(of: configPath, limit: 16 << 20) {
    case .missing:
      unloadableReason = "it has no config.v2.json"
    case .failed(let message):
      unloadableReason = "its config.v2.json could not be read (\(message))"
      issues.record(
        path: configPath, message: message + "; check its permissions and the disk",
        hidesLayers: true)
    case .value(let bytes):
      decode(bytes, issues: &issues)
    }
  }

  private mutating func decode(_ bytes: [UInt8], issues: inout DockerReadIssues) {
    guard let decoded = try? JSONDecoder().decode(DockerContainerConfig.self, from: Data(bytes))
    else {
      unloadableReason = "its config.v2.json is not valid JSON (truncated or corrupt)"
      issues.record(
        path: configPath,
        message: "invalid or truncated JSON; Docker cannot load this container either. "
          + "Inspect the file by hand.",
        hidesLayers: true)
      return
    }
    config = decoded
    if decoded.id != name {
      unloadableReason =
        "its config.v2.json records the id '\(StoreIdentifier.displayed(decoded.id))'"
    }
  }

  /// The container's record for the cross-checks, or nil without a usable config.
  func record(
    store: String, layout: DockerOverlay2Layout, mount: DockerContainerMount?,
    issues: inout DockerReadIssues
  ) -> ContainerRecord? {
    guard let config, unloadableReason == nil || config.id == name else { return nil }
    let state = config.recordedState
    var pid: Int32?
    if state.claimsProcess, let recorded = config.state?.pid, recorded > 0,
      recorded <= Int(Int32.max)
    {
      pid = Int32(recorded)
    }
    let name = config.name.map { $0.hasPrefix("/") ? String($0.dropFirst()) : $0 }
    return ContainerRecord(
      store: store, runtime: "docker", id: self.name, name: name, recordedState: state,
      pid: pid, startedAt: config.startedAt,
      mountPoints: mountPoints(layout: layout, mount: mount, issues: &issues),
      sourcePath: configPath, recordModifiedAt: modified)
  }

  /// The root filesystem, shm and network namespace mount points. Paths from the config
  /// that lie outside their expected directories are dropped and reported, because the
  /// cross-checks may act on these paths.
  private func mountPoints(
    layout: DockerOverlay2Layout, mount: DockerContainerMount?, issues: inout DockerReadIssues
  ) -> [String] {
    var points: [String] = []
    if let mountID = mount?.mountID {
      points.append(layout.layer(mountID) + "/merged")
    }
    let shm = config?.shmPath ?? ""
    let expectedShm = path + "/mounts/shm"
    if shm.isEmpty || shm == expectedShm {
      points.append(expectedShm)
    } else {
      issues.record(
        path: configPath,
        message: "ShmPath '\(StoreIdentifier.displayed(shm))' is not \(expectedShm); "
          + "it is ignored")
      points.append(expectedShm)
    }
    if let key = config?.networkSettings?.sandboxKey, !key.isEmpty {
      let parent = (key as NSString).deletingLastPathComponent
      let leaf = (key as NSString).lastPathComponent
      if Self.withoutVarRun(parent) == Self.withoutVarRun(layout.networkNamespaceDirectory),
        StoreIdentifier.isSafeComponent(leaf)
      {
        points.append(layout.networkNamespaceDirectory + "/" + leaf)
      } else {
        issues.record(
          path: configPath,
          message: "SandboxKey '\(StoreIdentifier.displayed(key))' is not under "
            + "\(layout.networkNamespaceDirectory); it is ignored")
      }
    }
    return points
  }

  /// Maps `/var/run/...` to `/run/...`: Docker records `/var/run/docker/netns/<id>`, and
  /// `/var/run` is a symbolic link to `/run` on current distributions.
  private static func withoutVarRun(_ path: String) -> String {
    path.hasPrefix("/var/run/") ? String(path.dropFirst(4)) : path
  }
}
