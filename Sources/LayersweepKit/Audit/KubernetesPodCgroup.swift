/// A Kubernetes pod's cgroup, recognised by the names kubelet gives it
/// (`pkg/kubelet/cm/pod_container_manager_linux.go`, `cgroup_manager_linux.go`).
///
/// Under cgroupfs a pod's cgroup is `kubepods/pod<uid>` for guaranteed pods and
/// `kubepods/<qos>/pod<uid>` for burstable and best-effort ones. Under systemd it is
/// `kubepods.slice/kubepods-pod<uid>.slice` or
/// `kubepods.slice/kubepods-<qos>.slice/kubepods-<qos>-pod<uid>.slice`, with the uid's dashes
/// written as underscores. kubelet's `--cgroup-root` may add components above `kubepods`
/// (cgroupfs) or a `<name>-` prefix to every slice (systemd), and both are accepted.
public struct KubernetesPodCgroup: Sendable, Equatable {
  /// A pod's quality-of-service class, which picks the cgroup kubelet puts it in.
  public enum QoSClass: String, Sendable, CaseIterable {
    case guaranteed, burstable, besteffort
  }

  /// The pod's uid as the API server and `<kubelet-root>/pods/<uid>` spell it.
  public var podUID: String
  public var qosClass: QoSClass
  /// The cgroup driver this name comes from: `cgroupfs` or `systemd`.
  public var driver: String

  public init(podUID: String, qosClass: QoSClass, driver: String) {
    self.podUID = podUID
    self.qosClass = qosClass
    self.driver = driver
  }

  /// Parses `cgroupPath` (relative to its hierarchy, starting with `/`) as a pod cgroup;
  /// nil when it is not one or its uid is malformed.
  public init?(cgroupPath: String) {
    let components = cgroupPath.split(separator: "/").map(String.init)
    guard let parsed = Self.parseCgroupfs(components) ?? Self.parseSystemd(components) else {
      return nil
    }
    self = parsed
  }

  // MARK: - cgroupfs

  private static func parseCgroupfs(_ components: [String]) -> KubernetesPodCgroup? {
    guard let last = components.last, last.hasPrefix("pod"), components.count >= 2,
      let uid = podUID(String(last.dropFirst(3)), separator: "-")
    else { return nil }

    let parent = components[components.count - 2]
    if parent == "kubepods" {
      return KubernetesPodCgroup(podUID: uid, qosClass: .guaranteed, driver: "cgroupfs")
    }
    guard components.count >= 3, components[components.count - 3] == "kubepods",
      let qos = QoSClass(rawValue: parent), qos != .guaranteed
    else { return nil }
    return KubernetesPodCgroup(podUID: uid, qosClass: qos, driver: "cgroupfs")
  }

  // MARK: - systemd

  /// Matches `<p>kubepods[-<qos>]-pod<uid>.slice` below `<p>kubepods[-<qos>].slice` (and, for
  /// a qos class, `<p>kubepods.slice` above that), where `<p>` is empty or ends with `-`.
  private static func parseSystemd(_ components: [String]) -> KubernetesPodCgroup? {
    guard let last = components.last, last.hasSuffix(".slice"), components.count >= 2,
      let marker = last.range(of: "kubepods-", options: .backwards)
    else { return nil }
    let prefix = String(last[..<marker.lowerBound])
    guard prefix.isEmpty || prefix.hasSuffix("-") else { return nil }

    let name = last[marker.upperBound...].dropLast(".slice".count)
    for qos in QoSClass.allCases {
      let qosPart = qos == .guaranteed ? "" : qos.rawValue + "-"
      guard name.hasPrefix(qosPart + "pod"),
        let uid = podUID(String(name.dropFirst(qosPart.count + 3)), separator: "_"),
        hasSystemdAncestors(components, prefix: prefix, qos: qos)
      else { continue }
      return KubernetesPodCgroup(podUID: uid, qosClass: qos, driver: "systemd")
    }
    return nil
  }

  private static func hasSystemdAncestors(_ components: [String], prefix: String, qos: QoSClass)
    -> Bool
  {
    let root = prefix + "kubepods.slice"
    let parent = components[components.count - 2]
    if qos == .guaranteed { return parent == root }
    return components.count >= 3 && parent == prefix + "kubepods-" + qos.rawValue + ".slice"
      && components[components.count - 3] == root
  }

  // MARK: - Pod uids

  /// Returns the uid spelled with dashes, or nil unless `text` is a lowercase UUID (with
  /// `separator` between its groups) or the 32 lowercase hex digits kubelet derives from a
  /// static pod's manifest (`pkg/kubelet/config/common.go`).
  static func podUID(_ text: String, separator: Character) -> String? {
    let bytes = Array(text.utf8)
    let isHex: (UInt8) -> Bool = { (48...57).contains($0) || (97...102).contains($0) }
    if bytes.count == 32 && bytes.allSatisfy(isHex) { return text }

    let separatorByte = separator.asciiValue ?? 0
    let groupEnds: Set<Int> = [8, 13, 18, 23]
    guard bytes.count == 36 else { return nil }
    for (index, byte) in bytes.enumerated() {
      let isValid = groupEnds.contains(index) ? byte == separatorByte : isHex(byte)
      if !isValid { return nil }
    }
    return String(text.map { $0 == separator ? "-" : $0 })
  }
}
