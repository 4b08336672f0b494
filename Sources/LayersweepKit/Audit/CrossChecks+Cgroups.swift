import Foundation

extension CrossChecks {
  /// `leaked-cgroup`: container cgroups, in every hierarchy, whose container is not live.
  /// One finding per hierarchy and cgroup; id is the cgroup path within the hierarchy
  /// (`/docker/<id>`), path the directory on the host. Cleanable only when it contains
  /// no processes.
  ///
  /// A cgroup is judged only when its row's stores can decide (see `decidingStores(for:)`),
  /// and a record whose state is unknown (containers/storage keeps no run state) counts as
  /// the container still existing.
  func leakedCgroupFindings() -> [Finding] {
    var findings: [Finding] = []
    for hierarchy in host.cgroupHierarchies {
      let matches = containerCgroups(in: hierarchy).compactMap { cgroup, rule, id in
        decidingStores(for: rule).map { (cgroup, rule, id, $0) }
      }
      let pidsByCgroup = members(of: Set(matches.map(\.0)), in: hierarchy)
      for (cgroup, rule, id, deciders) in matches {
        let owner = verdict(forContainerID: id)
        if let owner, owner.liveness.mayBeLive {
          continue
        }
        let finding = leakedCgroupFinding(
          cgroup, hierarchy: hierarchy, rule: rule, id: id, owner: owner, deciders: deciders,
          pids: pidsByCgroup[cgroup, default: []].sorted())
        findings.append(finding)
      }
    }
    return findings
  }

  /// Lists the names of the stores that decide whether containers of `rule` exist: those
  /// among `rule.stores` that are present. Returns nil when none is present, or when one of
  /// them had read errors or does not list its containers, because a container missing from
  /// an unread or partly read store would look leaked. Such cgroups are not reported at all:
  /// an empty scope alone does not show that its container is gone, since a runtime creates
  /// the cgroup before it starts the container's process.
  func decidingStores(for rule: CgroupNamingRule) -> [String]? {
    let present = stores.filter { rule.stores.contains($0.status.name) && $0.status.isPresent }
    guard !present.isEmpty,
      present.allSatisfy({ $0.errors.isEmpty && $0.isContainerListComplete })
    else { return nil }
    return present.map(\.status.name)
  }

  /// Lists the cgroups of `hierarchy` that a naming rule matches, outermost only, because a
  /// container's own sub-cgroups (nested runtimes, systemd inside the container) are part of it.
  private func containerCgroups(in hierarchy: CgroupHierarchy)
    -> [(String, CgroupNamingRule, String)]
  {
    var matched: [(String, CgroupNamingRule, String)] = []
    var matchedPaths = Set<String>()
    for cgroup in hierarchy.cgroups.sorted() {
      // Matching first is cheaper than the other tests, and most cgroups match no rule.
      guard let (rule, id) = firstMatch(cgroup),
        !hasAncestor(cgroup, in: matchedPaths), !CgroupNamingRule.isBelowUserManager(cgroup)
      else { continue }
      matched.append((cgroup, rule, id))
      matchedPaths.insert(cgroup)
    }
    return matched
  }

  /// Returns the first rule that matches `cgroup`, with the container id it names.
  private func firstMatch(_ cgroup: String) -> (CgroupNamingRule, String)? {
    for rule in cgroupRules {
      if let id = rule.containerID(inCgroupPath: cgroup) { return (rule, id) }
    }
    return nil
  }

  private func hasAncestor(_ path: String, in paths: Set<String>) -> Bool {
    var current = Self.parent(of: path)
    while !current.isEmpty {
      if paths.contains(current) { return true }
      current = Self.parent(of: current)
    }
    return false
  }

  private func leakedCgroupFinding(
    _ cgroup: String, hierarchy: CgroupHierarchy, rule: CgroupNamingRule, id: String,
    owner: Owner?, deciders: [String], pids: [Int32]
  ) -> Finding {
    let name = Self.hierarchyName(hierarchy)
    let storeList = deciders.joined(separator: ", ")
    var evidence = ["cgroup \(cgroup) in hierarchy \(name) names \(rule.runtime) container \(id)"]
    evidence.append(
      owner.map { "container \(id) is not live: \($0.liveness.explanation)" }
        ?? "no record in \(deciders.count == 1 ? "store" : "stores") \(storeList) names "
        + "container \(id)")
    evidence.append(
      pids.isEmpty
        ? "it holds no processes"
        : "it still holds \(pids.count) \(pids.count == 1 ? "process" : "processes")")
    evidence += pids.map { "member \(describeProcess($0))" }

    // NOTE: Membership comes from the process snapshot, so a process that joins the cgroup
    // after it was taken is caught only when clean checks again before removing the cgroup.
    let isCleanable = pids.isEmpty && isStoreDataComplete
    return Finding(
      kind: .leakedCgroup, store: "cgroup", id: cgroup,
      path: hierarchy.mountPoint + cgroup, evidence: evidence, cleanable: isCleanable,
      nextStep: isCleanable ? nil : leakedCgroupNextStep(hasProcesses: !pids.isEmpty),
      details: [
        "container": id, "runtime": rule.runtime, "driver": rule.driver, "hierarchy": name,
        "stores": storeList,
        "process_count": String(pids.count), "pids": pids.map(String.init).joined(separator: ","),
      ])
  }

  func leakedCgroupNextStep(hasProcesses: Bool) -> String {
    if hasProcesses {
      return "Stop the processes still in the cgroup, then run clean to remove it."
    }
    return "Fix the read errors listed in this report and audit again: clean does not "
      + "remove cgroups while container records may be missing."
  }

  /// Maps each of `cgroups` to the pids whose membership in `hierarchy` is that cgroup or a
  /// cgroup below it, walking up from each membership once.
  func members(of cgroups: Set<String>, in hierarchy: CgroupHierarchy) -> [String: [Int32]] {
    var members: [String: [Int32]] = [:]
    guard !cgroups.isEmpty else { return members }
    for process in host.processes.values {
      for membership in process.cgroups where Self.membership(membership, isIn: hierarchy) {
        var current = membership.path
        while !current.isEmpty && !cgroups.contains(current) {
          current = Self.parent(of: current)
        }
        if !current.isEmpty { members[current, default: []].append(process.pid) }
      }
    }
    return members
  }

  static func membership(_ membership: CgroupMembership, isIn hierarchy: CgroupHierarchy) -> Bool {
    if hierarchy.version == 2 { return membership.hierarchyID == 0 }
    return membership.hierarchyID != 0
      && Set(membership.controllers) == Set(hierarchy.controllers)
  }

  /// `unified` for v2, else the controller list such as `cpu,cpuacct`.
  static func hierarchyName(_ hierarchy: CgroupHierarchy) -> String {
    hierarchy.version == 2 ? "unified" : hierarchy.controllers.joined(separator: ",")
  }

  // MARK: - Dying cgroups

  /// `dying-cgroups`: removed cgroups the kernel still keeps. For v2, the root's
  /// `nr_dying_descendants`; for v1, `/proc/cgroups` `num_cgroups` minus the visible
  /// directories (the root included), per hierarchy. One finding per hierarchy; id and path
  /// are its mount point. Hierarchies with fewer than `dyingCgroupsThreshold` are not reported.
  func dyingCgroupFindings() -> [Finding] {
    var findings: [Finding] = []
    for hierarchy in host.cgroupHierarchies where hierarchy.version == 2 {
      guard let dying = hierarchy.dyingDescendants, dying >= dyingCgroupsThreshold else { continue }
      let evidence = "\(hierarchy.mountPoint)/cgroup.stat reports nr_dying_descendants \(dying)"
      findings.append(dyingFinding(hierarchy, count: dying, evidence: evidence))
    }
    var seenHierarchyIDs = Set<Int>()
    for count in host.cgroupCounts where count.hierarchyID != 0 && count.isEnabled {
      guard seenHierarchyIDs.insert(count.hierarchyID).inserted,
        let hierarchy = host.cgroupHierarchies.first(where: {
          $0.version == 1 && $0.controllers.contains(count.controller)
        })
      else { continue }
      let visible = hierarchy.cgroups.count + 1
      let dying = count.cgroupCount - visible
      guard dying >= dyingCgroupsThreshold else { continue }
      let evidence =
        "/proc/cgroups counts \(count.cgroupCount) cgroups in hierarchy \(count.hierarchyID) "
        + "(\(Self.hierarchyName(hierarchy))), but \(visible) directories are visible under "
        + hierarchy.mountPoint
      findings.append(dyingFinding(hierarchy, count: dying, evidence: evidence))
    }
    return findings
  }

  private func dyingFinding(_ hierarchy: CgroupHierarchy, count: Int, evidence: String)
    -> Finding
  {
    Finding(
      kind: .dyingCgroups, store: "cgroup", id: hierarchy.mountPoint, path: hierarchy.mountPoint,
      evidence: [evidence, "the kernel still keeps \(count) removed cgroups"],
      cleanable: false,
      nextStep: "The kernel frees a dying cgroup once the memory charged to it is reclaimed; "
        + "if the count keeps growing, find what creates and removes cgroups in a loop.",
      details: ["dying": String(count), "hierarchy": Self.hierarchyName(hierarchy)])
  }
}
