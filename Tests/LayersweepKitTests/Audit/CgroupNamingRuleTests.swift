import Testing

@testable import LayersweepKit

@Suite struct CgroupNamingRuleTests {
  static let id = CrossCheckFixtures.idA
  static let cgroupfs = CgroupNamingRule.docker()[0]
  static let systemd = CgroupNamingRule.docker()[1]

  /// One path per row of the standard table, with the runtime and driver of the row that
  /// must match it.
  static let rowExamples: [(path: String, runtime: String, driver: String)] = [
    ("/docker/\(id)", "docker", "cgroupfs"),
    ("/system.slice/docker-\(id).scope", "docker", "systemd"),
    ("/machine.slice/libpod-\(id).scope", "libpod", "systemd"),
    ("/machine.slice/libpod-conmon-\(id).scope", "libpod", "systemd"),
    ("/libpod_parent/libpod-\(id)", "libpod", "cgroupfs"),
    ("/kubepods.slice/kubepods-burstable.slice/crio-\(id).scope", "crio", "systemd"),
    ("/kubepods.slice/kubepods-burstable.slice/crio-conmon-\(id).scope", "crio", "systemd"),
    ("/kubepods/besteffort/pod0a/crio-\(id)", "crio", "cgroupfs"),
    ("/kubepods/besteffort/pod0a/crio-conmon-\(id)", "crio", "cgroupfs"),
    ("/kubepods.slice/kubepods-pod0a.slice/cri-containerd-\(id).scope", "containerd", "systemd"),
  ]

  @Test(arguments: rowExamples)
  func standardRowMatchesOnce(example: (path: String, runtime: String, driver: String)) throws {
    let rows = CgroupNamingRule.standard().filter {
      $0.containerID(inCgroupPath: example.path) != nil
    }
    #expect(rows.count == 1)
    let row = try #require(rows.first)
    #expect(row.runtime == example.runtime)
    #expect(row.driver == example.driver)
    #expect(row.containerID(inCgroupPath: example.path) == Self.id)
  }

  @Test func everyStandardRowHasAnExample() {
    let rows = CgroupNamingRule.standard()
    let matched = rows.filter { row in
      Self.rowExamples.contains { row.containerID(inCgroupPath: $0.path) != nil }
    }
    #expect(matched == rows)
  }

  @Test func rowsNameTheirStores() {
    for row in CgroupNamingRule.standard() {
      let expected: [String] =
        switch row.runtime {
        case "docker": ["docker-overlay2", "docker-aufs"]
        case "libpod", "crio": ["containers-storage"]
        default: ["containerd"]
        }
      #expect(row.stores == expected, "\(row.runtime) \(row.pattern)")
    }
  }

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

  @Test func podmanRowsMatchInsidePods() {
    let path = "/libpod_parent/0123abcd/libpod-\(Self.id)"
    let rows = CgroupNamingRule.podman().filter { $0.containerID(inCgroupPath: path) != nil }
    #expect(rows.map(\.driver) == ["cgroupfs"])
  }

  @Test(arguments: [
    "/docker/../../etc", "/docker/abc", "/docker/" + String(repeating: "A", count: 64),
    "/docker", "/", "",
  ])
  func rejectsMalformedIDs(path: String) {
    #expect(Self.cgroupfs.containerID(inCgroupPath: path) == nil)
    #expect(Self.systemd.containerID(inCgroupPath: path) == nil)
  }

  /// Near misses of every row: wrong suffix, wrong prefix, ids one digit short or long, upper
  /// case, `../` in the name, an empty id, and a nested component below a match.
  static let nearMisses: [String] = [
    "/machine.slice/libpod-\(id).scop",
    "/machine.slice/libpod-\(id).service",
    "/machine.slice/libpod-\(String(id.dropLast())).scope",
    "/machine.slice/libpod-\(id)a.scope",
    "/machine.slice/libpod-\(id.uppercased()).scope",
    "/machine.slice/libpod-conmon-.scope",
    "/machine.slice/libpod-conmon-\(String(id.dropLast())).scope",
    "/machine.slice/libpod-../../etc.scope",
    "/machine.slice/libpod-../\(id).scope",
    "/libpod_parent/libpod-\(id)0",
    "/libpod_parent/libpod-\(String(id.dropLast()))",
    "/libpod_parent/libpod_\(id)",
    "/libpod_parent/conmon",
    "/libpod_parent/libpod-\(id)/../../etc",
    "/kubepods/burstable/pod0a/crio-\(id).scop",
    "/kubepods/burstable/pod0a/crio-conmon-\(id)x",
    "/kubepods/burstable/pod0a/crio-\(id.uppercased())",
    "/kubepods/burstable/pod0a/crio..\(id)",
    "/kubepods.slice/cri-containerd-\(id)",
    "/kubepods.slice/cri-containerd-\(String(id.dropLast())).scope",
    "/kubepods.slice/containerd-\(id).scope",
    "/kubepods/burstable/pod0a/\(id)",
    "/system.slice/docker-\(id).scope/init.scope",
  ]

  @Test(arguments: nearMisses)
  func nearMissMatchesNoRow(path: String) {
    let rows = CgroupNamingRule.standard().filter { $0.containerID(inCgroupPath: path) != nil }
    #expect(rows.isEmpty)
  }

  @Test func userManagerCgroupsAreRecognised() {
    let rootless =
      "/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-\(Self.id).scope"
    #expect(CgroupNamingRule.isBelowUserManager(rootless))
    #expect(!CgroupNamingRule.isBelowUserManager("/machine.slice/libpod-\(Self.id).scope"))
    #expect(!CgroupNamingRule.isBelowUserManager("/user.slice/user@1000.service"))
  }
}
