import Foundation

/// One item clean will act on.
public struct PlannedItem: Sendable, Equatable {
  public var finding: Finding
  public var action: CleanAction
  /// The item as it was when the plan was made, compared again right before the action.
  public var observation: PathObservation?

  /// The reason the item is garbage, from the finding's evidence.
  public var reason: String {
    finding.evidence.first ?? finding.kind.rawValue
  }
}

/// A finding left out of the plan, and why.
public struct UnplannedFinding: Sendable, Equatable {
  public var finding: Finding
  /// The reason clean does not act on it, or the operator's next step.
  public var reason: String
  /// Whether the finding is cleanable but clean cannot act on it, which makes the run exit 1
  /// like a skipped item. False for findings that are only reported or that a flag left out.
  public var isUnsupported = false

  public init(finding: Finding, reason: String, isUnsupported: Bool = false) {
    self.finding = finding
    self.reason = reason
    self.isUnsupported = isUnsupported
  }
}

/// The findings clean acts on and those it only reports.
public struct CleanPlan: Sendable {
  public var items: [PlannedItem]
  public var unplanned: [UnplannedFinding]

  /// The bytes the planned items would free, where known.
  public var reclaimableBytes: Int64 {
    items.reduce(0) { $0 + ($1.finding.reclaimableBytes ?? 0) }
  }
}

/// The settings that select findings for a plan: `--only`, `--exclude`, `--min-age` and
/// `--release-leaked-mounts`.
public struct PlanFilter: Sendable {
  /// Kinds to act on; empty means every cleanable kind.
  public var onlyKinds: Set<FindingKind> = []
  /// Glob patterns (fnmatch) matched against each finding's id and path.
  public var excludePatterns: [String] = []
  /// Seconds; findings younger than this are left alone.
  public var minimumAge: Int64 = 3_600
  public var releasesLeakedMounts = false

  public init() {}
}

extension CleanPlan {
  /// Builds the plan for `findings`, reading each item's path once to record what
  /// re-verification compares against. `targetStores` names the stores with a `CleanTarget`.
  /// A cleanable finding to quarantine whose store is not among them is left out as
  /// unsupported, and nil leaves every store in.
  public static func make(
    _ findings: [Finding], filter: PlanFilter, targetStores: Set<String>? = nil
  ) -> CleanPlan {
    var plan = CleanPlan(items: [], unplanned: [])
    for finding in Finding.sortedForOutput(findings) {
      switch decide(finding, filter: filter, targetStores: targetStores) {
      case .success(let item): plan.items.append(item)
      case .failure(let skip): plan.unplanned.append(skip)
      }
    }
    return plan
  }

  private static func decide(
    _ finding: Finding, filter: PlanFilter, targetStores: Set<String>?
  ) -> Result<PlannedItem, UnplannedFinding> {
    func skip(_ reason: String) -> Result<PlannedItem, UnplannedFinding> {
      .failure(UnplannedFinding(finding: finding, reason: reason))
    }
    guard let action = CleanAction.forKind(finding.kind), finding.cleanable else {
      return skip(finding.nextStep ?? CleanAction.nextStep(for: finding.kind))
    }
    if action == .quarantine, let targetStores, !targetStores.contains(finding.store) {
      let reason =
        "clean does not act on \(finding.store) findings yet: remove the item with the "
        + "runtime's own tools (such as podman system prune or ctr snapshots rm)"
      return .failure(UnplannedFinding(finding: finding, reason: reason, isUnsupported: true))
    }
    if !filter.onlyKinds.isEmpty && !filter.onlyKinds.contains(finding.kind) {
      return skip("not selected by --only")
    }
    if let pattern = filter.excludePatterns.first(where: { matches($0, finding) }) {
      return skip("excluded by --exclude \(pattern)")
    }
    if action == .releaseMount && !filter.releasesLeakedMounts {
      return skip(CleanAction.nextStep(for: .leakedMount))
    }
    if let reason = ageProblem(finding, action: action, minimumAge: filter.minimumAge) {
      return skip(reason)
    }
    let observation = finding.path.flatMap { try? PathObservation.read($0) }
    return .success(PlannedItem(finding: finding, action: action, observation: observation))
  }

  private static func ageProblem(_ finding: Finding, action: CleanAction, minimumAge: Int64)
    -> String?
  {
    guard let age = finding.ageSeconds else {
      let needsAge = action == .quarantine || action == .unmount
      return needsAge ? "its age is unknown, so --min-age cannot be checked" : nil
    }
    return age < minimumAge ? "younger than --min-age (\(age)s < \(minimumAge)s)" : nil
  }

  private static func matches(_ pattern: String, _ finding: Finding) -> Bool {
    if fnmatch(pattern, finding.id, 0) == 0 { return true }
    guard let path = finding.path else { return false }
    return fnmatch(pattern, path, 0) == 0
  }
}

extension UnplannedFinding: Error {}
