#if canImport(Glibc)
  import Glibc
#endif

/// Finds tasks in uninterruptible sleep (state D) for longer than a threshold with one
/// pass over `/proc/<pid>/task/<tid>/stat` per round.
///
/// The kernel does not say when a task entered state D, so the scan keeps the monotonic
/// time it first saw each task in D, keyed by tid and start time so a reused tid starts
/// over. A task counts as blocked once it stays in D across scans for the threshold. The
/// scan reads only `stat`, `wchan`, `stack`, `cgroup`, `syscall` and the fd and cwd links,
/// never `cmdline` or `mem`, because those wait for the task's memory lock, which a hung
/// task may hold.
struct BlockedTaskScanner: Sendable {
  /// One task seen in state D.
  struct TaskKey: Hashable, Sendable {
    var pid: Int32
    var tid: Int32
    var startTicks: UInt64
  }

  var procRoot: String
  /// This process's pid, whose own probe threads are reported as hung mounts instead.
  var ownPID: Int32 = getpid()
  private(set) var firstSeen: [TaskKey: Double] = [:]
  private(set) var lastStats: [TaskKey: TaskStat] = [:]

  init(procRoot: String) {
    self.procRoot = procRoot
  }

  /// Scans every task once at monotonic time `now` and returns the tasks in state D for at
  /// least `threshold` seconds, with how long each has been seen blocked.
  mutating func scan(now: Double, threshold: Double) -> [(TaskKey, TaskStat, Double)] {
    var seen: [TaskKey: Double] = [:]
    var stats: [TaskKey: TaskStat] = [:]
    for pid in ProcFile.numericEntries(procRoot) where pid != ownPID {
      for tid in ProcFile.numericEntries("\(procRoot)/\(pid)/task") {
        let path = "\(procRoot)/\(pid)/task/\(tid)/stat"
        guard let text = ProcFile.read(path, limit: 1024), let stat = TaskStat.parse(text),
          stat.state == "D"
        else { continue }
        let key = TaskKey(pid: pid, tid: tid, startTicks: stat.startTicks)
        seen[key] = firstSeen[key] ?? now
        stats[key] = stat
      }
    }
    firstSeen = seen
    lastStats = stats
    return seen.compactMap { key, since in
      guard now - since >= threshold, let stat = stats[key] else { return nil }
      return (key, stat, now - since)
    }.sorted { $0.0.tid < $1.0.tid }
  }
}
