import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// One fact about the host that a recipe promises to have created, checked before the
/// audit runs so a broken recipe fails on its own line instead of as a wrong finding.
struct StateCheck: CustomStringConvertible {
  var fact: String
  var isSatisfied: Bool

  var description: String { fact }
}

/// What a recipe left on the host: the findings an audit must report and the on-disk facts
/// that make them findings.
struct DamageCase {
  var expected: [FindingKey]
  var checks: [StateCheck]

  /// The checks that are not satisfied, empty when the recipe did what it promises.
  var failedChecks: [StateCheck] { checks.filter { !$0.isSatisfied } }
}

/// Small predicates on host state for recipe checks.
enum HostState {
  static func exists(_ path: String) -> Bool {
    var status = stat()
    return lstat(path, &status) == 0
  }

  /// Returns whether `point` is a mount point in the mount namespace of `pid` (`self` for this
  /// process).
  static func isMounted(_ point: String, pid: String = "self") -> Bool {
    mountPoints(pid: pid).contains(point)
  }

  /// Returns every mount point listed in `/proc/<pid>/mountinfo`, unescaped.
  static func mountPoints(pid: String = "self") -> [String] {
    guard let raw = ProcFile.read("/proc/\(pid)/mountinfo") else {
      return []
    }
    return String(decoding: raw, as: UTF8.self).split(separator: "\n").compactMap { line in
      let fields = line.split(separator: " ")
      return fields.count > 4 ? SandboxCleanup.unescapeMountField(String(fields[4])) : nil
    }
  }

  /// Polls `condition` every 50 ms until it is true or `timeout` seconds pass.
  @discardableResult
  static func wait(timeout: TimeInterval, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while !condition() {
      if Date() >= deadline { return false }
      usleep(50_000)
    }
    return true
  }

  /// Pids whose `/proc/<pid>/cgroup` names `cgroup` (such as `/lsw-1a2b/<id>`) in any
  /// hierarchy, zombies included.
  static func processes(inCgroup cgroup: String) -> [pid_t] {
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    return entries.compactMap { entry -> pid_t? in
      guard let pid = pid_t(entry), let raw = ProcFile.read("/proc/\(entry)/cgroup") else {
        return nil
      }
      let lines = String(decoding: raw, as: UTF8.self).split(separator: "\n")
      return lines.contains { $0.hasSuffix(":" + cgroup) } ? pid : nil
    }
  }

  /// Pids of the state-Z children of `parent`.
  static func zombieChildren(of parent: pid_t) -> [pid_t] {
    SandboxCleanup.children(of: parent).filter { pid in
      let raw = ProcFile.read("/proc/\(pid)/stat") ?? Data()
      let text = String(decoding: raw, as: UTF8.self)
      guard let close = text.lastIndex(of: ")") else { return false }
      return text[text.index(after: close)...].split(separator: " ").first == "Z"
    }
  }
}

/// A ustar header for one regular file, enough to stream a partial `docker import`.
enum TarHeader {
  static func regularFile(name: String, size: Int) -> Data {
    var header = [UInt8](repeating: 0, count: 512)
    put(name, at: 0, in: &header)
    put("0000644", at: 100, in: &header)
    put("0000000", at: 108, in: &header)
    put("0000000", at: 116, in: &header)
    put(String(format: "%011o", size), at: 124, in: &header)
    put(String(format: "%011o", Int(Date().timeIntervalSince1970)), at: 136, in: &header)
    put("        ", at: 148, in: &header)
    header[156] = UInt8(ascii: "0")
    put("ustar", at: 257, in: &header)
    put("00", at: 263, in: &header)
    let checksum = header.reduce(0) { $0 + Int($1) }
    put(String(format: "%06o", checksum), at: 148, in: &header)
    header[154] = 0
    header[155] = UInt8(ascii: " ")
    return Data(header)
  }

  private static func put(_ text: String, at offset: Int, in header: inout [UInt8]) {
    for (index, byte) in text.utf8.enumerated() { header[offset + index] = byte }
  }
}
