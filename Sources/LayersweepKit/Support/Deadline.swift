import Foundation

/// Runs blocking work that a hung filesystem could stall forever, without waiting past a
/// deadline.
enum Deadline {
  /// Runs `work` on a thread of its own and returns its result, or nil when it has not
  /// finished within `seconds`.
  ///
  /// A thread stuck in the kernel cannot be cancelled, so on timeout it is left running and
  /// its result is dropped when it finishes; the caller goes on without it.
  static func run<Result: Sendable>(
    seconds: TimeInterval, _ work: @escaping @Sendable () -> Result
  ) -> Result? {
    let box = ResultBox<Result>()
    let done = DispatchSemaphore(value: 0)
    let thread = Thread {
      box.store(work())
      done.signal()
    }
    thread.stackSize = 8 << 20
    thread.start()
    guard done.wait(timeout: .now() + seconds) == .success else { return nil }
    return box.value
  }
}

/// The result of work on another thread, handed over under a lock.
private final class ResultBox<Value: Sendable>: @unchecked Sendable {
  private let lock = NSLock()
  private var stored: Value?

  func store(_ value: Value) {
    lock.withLock { stored = value }
  }

  var value: Value? {
    lock.withLock { stored }
  }
}
