import Foundation
import Glibc

/// Takes the read-only host snapshot: mount namespaces, processes and cgroup hierarchies.
public enum HostCollector {
  /// Reads `/proc` and the cgroup trees under `paths`. Nothing on the host is changed.
  ///
  /// Problems confined to one process, namespace or hierarchy go into
  /// ``HostSnapshot/errors`` and the rest is still read.
  ///
  /// - Throws: when `paths.proc`, the host mount namespace or its mount table cannot be
  ///   read, or `<proc>/stat` has no `btime` line.
  public static func collect(paths: HostPaths) throws -> HostSnapshot {
    let takenAt = Date()
    var errors: [AuditError] = []
    let processes = try ProcReader(procPath: paths.proc).readProcesses(errors: &errors)
    let namespaces = try NamespaceScanner(procPath: paths.proc)
      .scan(processes: processes, errors: &errors)
    let hostMounts = namespaces.first?.mounts ?? []
    let hierarchies = CgroupReader(cgroupRoot: paths.cgroupRoot)
      .readHierarchies(mounts: hostMounts, errors: &errors)

    var counts: [CgroupControllerCount] = []
    do {
      counts = try CgroupReader.readControllerCounts(procPath: paths.proc)
    } catch {
      errors.append(AuditError(store: "cgroup", path: paths.proc + "/cgroups", message: "\(error)"))
    }

    return HostSnapshot(
      namespaces: namespaces, processes: processes, cgroupHierarchies: hierarchies,
      cgroupCounts: counts, clockTicksPerSecond: clockTicksPerSecond(),
      bootTime: try readBootTime(procPath: paths.proc), takenAt: takenAt, errors: errors)
  }

  /// Returns `sysconf(_SC_CLK_TCK)`, or 100 (the value on every Linux architecture) if the
  /// call fails.
  static func clockTicksPerSecond() -> UInt64 {
    let ticks = sysconf(Int32(_SC_CLK_TCK))
    return ticks > 0 ? UInt64(ticks) : 100
  }

  /// Reads `btime`, the boot time in seconds since the epoch, from `<proc>/stat`.
  static func readBootTime(procPath: String) throws -> UInt64 {
    let path = procPath + "/stat"
    let text = String(decoding: try FileDescriptor.readFile(path, displayPath: path), as: UTF8.self)
    for line in text.split(separator: "\n") where line.hasPrefix("btime ") {
      if let seconds = UInt64(line.dropFirst("btime ".count)) {
        return seconds
      }
    }
    throw ProcFileError(path: path, reason: "no valid btime line")
  }
}
