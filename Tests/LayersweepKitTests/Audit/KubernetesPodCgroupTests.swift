import Testing

@testable import LayersweepKit

@Suite struct KubernetesPodCgroupTests {
  static let uid = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
  static let systemdUID = uid.replacingOccurrences(of: "-", with: "_")
  static let staticUID = "5f0c2d8e9a7b6c5d4e3f2a1b0c9d8e7f"

  typealias QoS = KubernetesPodCgroup.QoSClass

  static let matches: [(path: String, uid: String, qos: QoS, driver: String)] = [
    ("/kubepods/pod\(uid)", uid, .guaranteed, "cgroupfs"),
    ("/kubepods/burstable/pod\(uid)", uid, .burstable, "cgroupfs"),
    ("/kubepods/besteffort/pod\(uid)", uid, .besteffort, "cgroupfs"),
    ("/kubepods/burstable/pod\(staticUID)", staticUID, .burstable, "cgroupfs"),
    ("/custom-root/kubepods/besteffort/pod\(uid)", uid, .besteffort, "cgroupfs"),
    ("/kubepods.slice/kubepods-pod\(systemdUID).slice", uid, .guaranteed, "systemd"),
    (
      "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod\(systemdUID).slice", uid,
      .burstable, "systemd"
    ),
    (
      "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod\(systemdUID).slice",
      uid, .besteffort, "systemd"
    ),
    (
      "/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-burstable.slice/"
        + "kubelet-kubepods-burstable-pod\(systemdUID).slice", uid, .burstable, "systemd"
    ),
    (
      "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod\(staticUID).slice",
      staticUID, .besteffort, "systemd"
    ),
  ]

  @Test(arguments: matches)
  func parsesPodCgroup(example: (path: String, uid: String, qos: QoS, driver: String)) throws {
    let pod = try #require(KubernetesPodCgroup(cgroupPath: example.path))
    #expect(pod.podUID == example.uid)
    #expect(pod.qosClass == example.qos)
    #expect(pod.driver == example.driver)
  }

  /// Near misses: wrong parents, a missing qos level, the other driver's uid spelling, upper
  /// case, uids one character short or long, `../` in names, and children of a pod cgroup.
  static let nearMisses: [String] = [
    "/kubepods/guaranteed/pod\(uid)",
    "/burstable/pod\(uid)",
    "/kubepods/burstable/extra/pod\(uid)",
    "/pod\(uid)",
    "/kubepods/pod\(systemdUID)",
    "/kubepods/pod\(uid.uppercased())",
    "/kubepods/pod\(String(uid.dropLast()))",
    "/kubepods/pod\(uid)0",
    "/kubepods/pod\(String(staticUID.dropLast()))",
    "/kubepods/pod",
    "/kubepods/pod../../etc",
    "/kubepods/burstable/pod\(uid)/../../etc",
    "/kubepods/burstable/pod\(uid)/crio-\(CrossCheckFixtures.idA)",
    "/kubepods/burstable/pod-\(uid)",
    "/kubepods.slice/kubepods-pod\(uid).slice",
    "/kubepods.slice/kubepods-burstable-pod\(systemdUID).slice",
    "/kubepods.slice/kubepods-burstable.slice/kubepods-besteffort-pod\(systemdUID).slice",
    "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod\(systemdUID).scope",
    "/other.slice/kubepods-pod\(systemdUID).slice",
    "/kubepods.slice/kubepods-pod../../\(systemdUID).slice",
    "/kubelet.slice/kubelet-kubepods.slice/kubepods-pod\(systemdUID).slice",
    "/kubepods.slice/xkubepods-pod\(systemdUID).slice",
    "/kubepods.slice/kubepods-pod\(systemdUID).slice/cri-containerd-\(CrossCheckFixtures.idA).scope",
  ]

  @Test(arguments: nearMisses)
  func rejectsNearMiss(path: String) {
    #expect(KubernetesPodCgroup(cgroupPath: path) == nil)
  }
}
