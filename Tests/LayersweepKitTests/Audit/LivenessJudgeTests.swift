import Foundation
import Testing

@testable import LayersweepKit

@Suite struct LivenessJudgeTests {
  typealias Fixture = CrossCheckFixtures
  static let cgroup = "/system.slice/docker-\(Fixture.idA).scope"

  static func judge(_ processes: [HostProcess], _ record: ContainerRecord) -> ContainerLiveness {
    LivenessJudge(host: Fixture.snapshot(processes: processes)).judge(record)
  }

  @Test func runningProcessIsLive() {
    let process = Fixture.process(42, cgroup: Self.cgroup)
    #expect(Self.judge([process], Fixture.record(Fixture.idA, pid: 42)) == .live(pid: 42))
  }

  @Test func exitedRecordClaimsNothing() {
    let record = Fixture.record(Fixture.idA, state: .exited, pid: 0)
    #expect(Self.judge([], record) == .notClaimed(.exited))
  }

  @Test func restartingWithoutPidIsWaiting() {
    let record = Fixture.record(Fixture.idA, state: .restarting, pid: 0)
    #expect(Self.judge([], record) == .notClaimed(.restarting))
  }

  @Test func missingPidIsGone() {
    #expect(Self.judge([], Fixture.record(Fixture.idA, pid: 42)) == .gone(pid: 42))
  }

  @Test func zombiePidIsZombie() {
    let process = Fixture.process(42, state: "Z", cgroup: Self.cgroup)
    #expect(Self.judge([process], Fixture.record(Fixture.idA, pid: 42)) == .zombie(pid: 42))
  }

  @Test func laterStartMeansReused() {
    let process = Fixture.process(42, ticks: 20_000, cgroup: Self.cgroup)
    let verdict = Self.judge([process], Fixture.record(Fixture.idA, pid: 42))
    #expect(verdict.reasonWord == "reused")
    #expect(
      verdict
        == .reused(
          pid: 42,
          reason: "process 42 (sleep) started at 2023-11-14T22:16:40Z, "
            + "100 s from the recorded start 2023-11-14T22:15:00Z"))
  }

  @Test func startWithinToleranceIsLive() {
    let process = Fixture.process(42, ticks: 10_300, cgroup: Self.cgroup)
    #expect(Self.judge([process], Fixture.record(Fixture.idA, pid: 42)) == .live(pid: 42))
  }

  @Test func foreignCgroupMeansReused() {
    let process = Fixture.process(42, cgroup: "/user.slice/session-1.scope")
    let verdict = Self.judge([process], Fixture.record(Fixture.idA, pid: 42))
    #expect(
      verdict
        == .reused(
          pid: 42,
          reason: "process 42 (sleep) is in cgroup /user.slice/session-1.scope, "
            + "which does not name the container"))
  }

  @Test func rootCgroupIsNotJudged() {
    let process = Fixture.process(42, cgroup: "/")
    #expect(Self.judge([process], Fixture.record(Fixture.idA, pid: 42)) == .live(pid: 42))
  }
}
