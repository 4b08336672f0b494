import Foundation
import Testing

@testable import LayersweepKit

@Suite struct CleanPlanTests {
  static func finding(
    _ kind: FindingKind, id: String, age: Int64? = 7_200, cleanable: Bool = true
  ) -> Finding {
    Finding(
      kind: kind, store: "docker-overlay2", id: id, path: "/nonexistent/overlay2/\(id)",
      reclaimableBytes: 10, ageSeconds: age, cleanable: cleanable)
  }

  @Test func defaultPlanTakesCleanableKinds() {
    let plan = CleanPlan.make(
      [
        Self.finding(.orphanedLayer, id: "a"), Self.finding(.staleRemoval, id: "b"),
        Self.finding(.deadMount, id: "c"), Self.finding(.leakedCgroup, id: "d"),
        Self.finding(.zombieProcess, id: "e", cleanable: false),
        Self.finding(.orphanedLayer, id: "f", cleanable: false),
      ], filter: PlanFilter())

    #expect(plan.items.map(\.finding.id) == ["a", "b", "c", "d"])
    #expect(plan.items.map(\.action) == [.quarantine, .quarantine, .unmount, .removeCgroup])
    #expect(plan.unplanned.map(\.finding.id) == ["f", "e"])
    #expect(plan.reclaimableBytes == 40)
  }

  @Test func minimumAgeProtectsYoungAndUnknownLayers() {
    var filter = PlanFilter()
    filter.minimumAge = 3_600
    let plan = CleanPlan.make(
      [
        Self.finding(.orphanedLayer, id: "young", age: 60),
        Self.finding(.orphanedLayer, id: "unknown", age: nil),
        Self.finding(.orphanedLayer, id: "old", age: 3_600),
      ], filter: filter)

    #expect(plan.items.map(\.finding.id) == ["old"])
    #expect(
      plan.unplanned.map(\.reason) == [
        "its age is unknown, so --min-age cannot be checked",
        "younger than --min-age (60s < 3600s)",
      ])
  }

  @Test func minimumAgeProtectsYoungAndUnknownMounts() {
    let plan = CleanPlan.make(
      [
        Self.finding(.deadMount, id: "young", age: 60),
        Self.finding(.deadMount, id: "unknown", age: nil),
        Self.finding(.deadMount, id: "old", age: 3_600),
      ], filter: PlanFilter())

    #expect(plan.items.map(\.finding.id) == ["old"])
    #expect(
      plan.unplanned.map(\.reason) == [
        "its age is unknown, so --min-age cannot be checked",
        "younger than --min-age (60s < 3600s)",
      ])
  }

  @Test func storeWithoutTargetIsUnsupported() {
    var orphan = Self.finding(.orphanedLayer, id: "a")
    orphan.store = "containers-storage"
    var reported = Self.finding(.orphanedLayer, id: "b", cleanable: false)
    reported.store = "containers-storage"
    let plan = CleanPlan.make(
      [orphan, reported, Self.finding(.orphanedLayer, id: "c")], filter: PlanFilter(),
      targetStores: ["docker-overlay2"])

    #expect(plan.items.map(\.finding.id) == ["c"])
    #expect(plan.unplanned.map(\.finding.id) == ["a", "b"])
    #expect(plan.unplanned.map(\.isUnsupported) == [true, false])
    #expect(
      plan.unplanned.first?.reason.hasPrefix("clean does not act on containers-storage") == true)
    #expect(CleanRun.status(of: [], plan: plan) == .findings)
  }

  @Test func reportedOnlyFindingKeepsStatusZero() {
    let plan = CleanPlan.make(
      [Self.finding(.zombieProcess, id: "z", cleanable: false)], filter: PlanFilter(),
      targetStores: ["docker-overlay2"])

    #expect(plan.unplanned.map(\.isUnsupported) == [false])
    #expect(CleanRun.status(of: [], plan: plan) == .healthy)
  }

  @Test func onlyAndExcludeNarrowThePlan() {
    var filter = PlanFilter()
    filter.onlyKinds = [.orphanedLayer]
    filter.excludePatterns = ["keep-*", "*/overlay2/pinned"]
    let plan = CleanPlan.make(
      [
        Self.finding(.orphanedLayer, id: "keep-1"), Self.finding(.orphanedLayer, id: "pinned"),
        Self.finding(.orphanedLayer, id: "gone"), Self.finding(.staleRemoval, id: "x"),
      ], filter: filter)

    #expect(plan.items.map(\.finding.id) == ["gone"])
    #expect(
      plan.unplanned.map(\.reason) == [
        "excluded by --exclude keep-*", "excluded by --exclude */overlay2/pinned",
        "not selected by --only",
      ])
  }

  @Test func leakedMountNeedsItsFlag() {
    let leaked = Self.finding(.leakedMount, id: "m")
    var filter = PlanFilter()
    #expect(CleanPlan.make([leaked], filter: filter).items.isEmpty)
    filter.releasesLeakedMounts = true
    #expect(CleanPlan.make([leaked], filter: filter).items.map(\.action) == [.releaseMount])
  }

  @Test(arguments: [
    ("90s", 90), ("30m", 1_800), ("1h", 3_600), ("7d", 604_800), ("2w", 1_209_600), ("15", 15),
  ])
  func durationParses(text: String, seconds: Int64) throws {
    #expect(try DurationParsing.seconds(text, option: "min-age") == seconds)
  }

  @Test(arguments: ["", "h", "-1h", "1y", "1.5h", "99999999999999999w"])
  func badDurationIsUsageError(text: String) {
    #expect(throws: UsageError.self) { try DurationParsing.seconds(text, option: "min-age") }
  }
}
