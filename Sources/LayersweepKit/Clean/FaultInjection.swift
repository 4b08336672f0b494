#if canImport(Glibc)
  import Glibc
#endif

/// A test hook that kills the process with SIGKILL when it reaches a named step, to check
/// that a run killed at any point leaves a consistent quarantine and journal.
///
/// Only the clean, restore and purge executors read it, from the environment variable
/// `LAYERSWEEP_TEST_KILL_AT`, whose value is a step name such as `after-rename`, optionally
/// followed by `@N` to kill at the Nth time the step is reached (default the first).
/// It is meant for tests only; leave the variable unset in production.
public final class FaultInjection: @unchecked Sendable {
  /// The environment variable that names the step.
  public static let environmentVariable = "LAYERSWEEP_TEST_KILL_AT"

  /// Every step the executors report, in the order one quarantined item passes them.
  public static let steps = [
    "before-intent", "after-intent", "after-manifest", "after-rename", "after-companions",
    "after-outcome", "purge-after-intent", "purge-after-rename", "purge-after-remove",
    "restore-after-rename",
  ]

  private let step: String?
  private let occurrence: Int
  private var reached = 0

  /// A hook that never fires.
  public static let disabled = FaultInjection(specification: nil)

  init(specification: String?) {
    guard let specification, !specification.isEmpty else {
      step = nil
      occurrence = 1
      return
    }
    let parts = specification.split(separator: "@", maxSplits: 1)
    step = String(parts[0])
    occurrence = parts.count > 1 ? max(1, Int(parts[1]) ?? 1) : 1
  }

  /// The hook configured by `LAYERSWEEP_TEST_KILL_AT`, or a disabled one.
  public static func fromEnvironment() -> FaultInjection {
    guard let value = getenv(environmentVariable) else { return .disabled }
    return FaultInjection(specification: String(cString: value))
  }

  /// Kills the process with SIGKILL when `name` is the configured step and occurrence.
  func reach(_ name: String) {
    guard name == step else { return }
    reached += 1
    if reached == occurrence { kill(getpid(), SIGKILL) }
  }
}
