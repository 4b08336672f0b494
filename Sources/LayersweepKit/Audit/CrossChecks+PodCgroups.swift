import Foundation

extension CrossChecks {
  /// `leaked-cgroup` for Kubernetes pods: pod cgroups, in every hierarchy, whose pod
  /// directory `<kubelet-root>/pods/<uid>` no longer exists. One finding per hierarchy and
  /// cgroup; id is the cgroup path, path the directory on the host. Cleanable only when it
  /// contains no processes.
  ///
  /// Reported only while kubelet runs and its pods directory was read without errors.
  /// kubelet creates a pod's directory when it syncs the pod, and its housekeeping removes a
  /// deleted pod's cgroup and directory once the pod's volumes are gone. With kubelet
  /// stopped neither happens, so the directory tells nothing reliable about the cgroup.
  // NOTE: kubelet's syncPod creates a new pod's cgroup just before its directory, so a pod
  // started in that moment can be reported once. clean must check the pod directory again
  // right before it removes such a cgroup.
  func leakedPodCgroupFindings() -> [Finding] {
    guard let kubeletPID = runningKubeletPID(), let podStore = readPodStore(),
      let podUIDs = podStore.podUIDs
    else { return [] }

    var findings: [Finding] = []
    for hierarchy in host.cgroupHierarchies {
      let leaked = podCgroups(in: hierarchy).filter { !podUIDs.contains($0.pod.podUID) }
      let pidsByCgroup = members(of: Set(leaked.map(\.cgroup)), in: hierarchy)
      for (cgroup, pod) in leaked {
        let context = PodCgroupContext(
          kubeletRoot: podStore.status.root, kubeletPID: kubeletPID,
          pids: pidsByCgroup[cgroup, default: []].sorted())
        findings.append(leakedPodCgroupFinding(cgroup, pod, hierarchy: hierarchy, context))
      }
    }
    return findings
  }

  /// The facts shared by every pod finding of one run, plus the cgroup's members.
  private struct PodCgroupContext {
    var kubeletRoot: String
    var kubeletPID: Int32
    var pids: [Int32]
  }

  /// Finds the lowest pid whose command is `kubelet` and that has not exited.
  func runningKubeletPID() -> Int32? {
    host.processes.values
      .filter { $0.command == "kubelet" && $0.state != "Z" && $0.state != "X" }
      .map(\.pid).min()
  }

  /// Finds the store that lists pods (kubelet's pods directory), when it was read completely.
  private func readPodStore() -> StoreAuditResult? {
    stores.first { $0.podUIDs != nil && $0.status.isPresent && $0.errors.isEmpty }
  }

  /// Lists the pod cgroups of `hierarchy`. Skips those below a container's cgroup, which
  /// belong to a kubelet running inside that container (kind, k3d) with its own pods
  /// directory, and those below a systemd user manager.
  private func podCgroups(in hierarchy: CgroupHierarchy)
    -> [(cgroup: String, pod: KubernetesPodCgroup)]
  {
    hierarchy.cgroups.sorted().compactMap { cgroup in
      guard let pod = KubernetesPodCgroup(cgroupPath: cgroup),
        !CgroupNamingRule.isBelowUserManager(cgroup),
        containerID(inCgroupPath: Self.parent(of: cgroup)) == nil
      else { return nil }
      return (cgroup, pod)
    }
  }

  private func leakedPodCgroupFinding(
    _ cgroup: String, _ pod: KubernetesPodCgroup, hierarchy: CgroupHierarchy,
    _ context: PodCgroupContext
  ) -> Finding {
    let name = Self.hierarchyName(hierarchy)
    let podDirectory = context.kubeletRoot + "/pods/" + pod.podUID
    let pids = context.pids
    var evidence = [
      "cgroup \(cgroup) in hierarchy \(name) is the cgroup of Kubernetes pod \(pod.podUID) "
        + "(QoS class \(pod.qosClass.rawValue), \(pod.driver) driver)",
      "pod directory \(podDirectory) does not exist",
      "kubelet runs as pid \(context.kubeletPID)",
      pids.isEmpty
        ? "it holds no processes"
        : "it still holds \(pids.count) \(pids.count == 1 ? "process" : "processes")",
    ]
    evidence += pids.map { "member \(describeProcess($0))" }

    let isCleanable = pids.isEmpty && isStoreDataComplete
    return Finding(
      kind: .leakedCgroup, store: "cgroup", id: cgroup, path: hierarchy.mountPoint + cgroup,
      evidence: evidence, cleanable: isCleanable,
      nextStep: isCleanable ? nil : leakedCgroupNextStep(hasProcesses: !pids.isEmpty),
      details: [
        "pod_uid": pod.podUID, "qos_class": pod.qosClass.rawValue, "driver": pod.driver,
        "hierarchy": name, "pod_directory": podDirectory,
        "kubelet_pid": String(context.kubeletPID), "process_count": String(pids.count),
        "pids": pids.map(String.init).joined(separator: ","),
      ])
  }
}
