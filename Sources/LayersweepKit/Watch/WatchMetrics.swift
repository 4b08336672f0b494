/// The values `/metrics` and the textfile show after a round.
struct WatchMetrics: Sendable, Equatable {
  /// The state of one watched mount.
  struct MountState: Sendable, Equatable {
    var mount: WatchedMount
    var isStalled: Bool
    /// Seconds the outstanding probe has been running when stalled, else 0.
    var stallSeconds: Double
    /// Duration of the most recent probe that returned, when one has.
    var lastProbeSeconds: Double?
    var stallsTotal: Int
    var probeFailuresTotal: Int
  }

  /// The state of one runtime API.
  struct RuntimeState: Sendable, Equatable {
    var runtime: String
    var socket: String
    var isResponding: Bool
    var stallsTotal: Int
  }

  var rounds: Int = 0
  var lastRoundUnixSeconds: Double = 0
  var mounts: [MountState] = []
  var runtimes: [RuntimeState] = []
  /// Blocked-task findings of the last round.
  var blockedTasks: [Finding] = []
  /// Active findings by kind.
  var findingsByKind: [FindingKind: Int] = [:]
  var kernelReportsTotal: Int = 0
  /// `/proc/sys/kernel/hung_task_detect_count`, where the kernel has it.
  var kernelHungTaskDetectCount: Int?
  var outstandingProbes: Int = 0
}
