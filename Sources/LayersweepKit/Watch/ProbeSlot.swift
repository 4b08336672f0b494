import Foundation

/// The one outstanding probe allowed for one target (a mount or a runtime socket).
///
/// `start` runs the probe on a detached thread and returns at once. The probe records its
/// phase and its outcome here under a lock, so the loop thread reads them without ever
/// waiting on the probe. A probe stuck in the kernel keeps the slot busy, and no second
/// probe starts until it returns.
final class ProbeSlot: @unchecked Sendable {
  /// A probe still running.
  struct Running: Equatable {
    /// Monotonic start time, in seconds.
    var startedAt: Double
    /// The operation in progress, such as `statfs` or `write`.
    var phase: String
  }

  /// A probe that returned.
  struct Completion: Equatable {
    var startedAt: Double
    var finishedAt: Double
    /// The failed operation and its error, or nil when every operation succeeded.
    var failure: ProbeFailure?
  }

  private let lock = NSLock()
  private var running: Running?
  private var completion: Completion?

  /// The probe in progress, if any.
  var current: Running? { lock.withLock { running } }
  /// The most recent probe that returned.
  var lastCompletion: Completion? { lock.withLock { completion } }

  /// Starts `probe` on a detached thread unless one is still outstanding.
  /// - Returns: false when a probe is still outstanding, so nothing was started.
  func start(_ probe: @escaping @Sendable (ProbeSlot) -> ProbeFailure?) throws -> Bool {
    let now = MonotonicClock.now()
    let isIdle = lock.withLock {
      guard running == nil else { return false }
      running = Running(startedAt: now, phase: "start")
      return true
    }
    guard isIdle else { return false }
    do {
      try DetachedThread.start { [self] in
        let failure = probe(self)
        finish(startedAt: now, failure: failure)
      }
    } catch {
      lock.withLock { running = nil }
      throw error
    }
    return true
  }

  /// Records the operation the probe is about to make; called from the probe thread.
  func enter(_ phase: String) {
    lock.withLock { running?.phase = phase }
  }

  private func finish(startedAt: Double, failure: ProbeFailure?) {
    let now = MonotonicClock.now()
    lock.withLock {
      running = nil
      completion = Completion(startedAt: startedAt, finishedAt: now, failure: failure)
    }
  }
}

/// A probe operation that returned an error instead of hanging.
struct ProbeFailure: Equatable, Sendable, CustomStringConvertible {
  var operation: String
  var path: String
  var errno: Int32
  /// A reason that replaces the errno text, for failures that are no system call error.
  var message: String?

  init(operation: String, path: String, errno: Int32, message: String? = nil) {
    self.operation = operation
    self.path = path
    self.errno = errno
    self.message = message
  }

  var description: String { "\(operation) \(path): \(message ?? WatchError.text(errno))" }
}
