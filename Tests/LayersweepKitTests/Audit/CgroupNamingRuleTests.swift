import Testing

@testable import LayersweepKit

@Suite struct CgroupNamingRuleTests {
  static let id = CrossCheckFixtures.idA
  static let cgroupfs = CgroupNamingRule.docker()[0]
  static let systemd = CgroupNamingRule.docker()[1]

  @Test func cgroupfsMatchesParentAndID() {
    #expect(Self.cgroupfs.containerID(inCgroupPath: "/docker/\(Self.id)") == Self.id)
    #expect(Self.cgroupfs.containerID(inCgroupPath: "/other/\(Self.id)") == nil)
  }

  @Test func cgroupfsAcceptsNestedParent() {
    let rule = CgroupNamingRule.docker(cgroupParent: "/ci/jobs")[0]
    #expect(rule.containerID(inCgroupPath: "/ci/jobs/\(Self.id)") == Self.id)
    #expect(rule.containerID(inCgroupPath: "/jobs/\(Self.id)") == nil)
  }

  @Test func systemdMatchesScope() {
    let path = "/system.slice/docker-\(Self.id).scope"
    #expect(Self.systemd.containerID(inCgroupPath: path) == Self.id)
    #expect(Self.systemd.containerID(inCgroupPath: "/system.slice/docker.service") == nil)
  }

  @Test func otherRuntimeFitsAsRow() {
    let libpod = CgroupNamingRule(
      runtime: "libpod", driver: "systemd", pattern: .affixed(prefix: "libpod-", suffix: ".scope"))
    let path = "/machine.slice/libpod-\(Self.id).scope"
    #expect(libpod.containerID(inCgroupPath: path) == Self.id)
  }

  @Test(arguments: [
    "/docker/../../etc", "/docker/abc", "/docker/" + String(repeating: "A", count: 64),
    "/docker", "/", "",
  ])
  func rejectsMalformedIDs(path: String) {
    #expect(Self.cgroupfs.containerID(inCgroupPath: path) == nil)
    #expect(Self.systemd.containerID(inCgroupPath: path) == nil)
  }
}
