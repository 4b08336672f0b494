#if canImport(Glibc)
  import Glibc
#endif

/// Waits for SIGTERM and SIGINT with `sigtimedwait` instead of a handler.
///
/// `blockTerminationSignals` must run on the loop thread before any other thread starts:
/// every thread created afterwards inherits the blocked mask, so the kernel leaves the
/// signals pending until the loop thread takes them in `wait`. A probe thread stuck in
/// state D therefore never holds a signal back.
enum SignalWaiter {
  static func blockTerminationSignals() {
    var signals = terminationSignals()
    pthread_sigmask(SIG_BLOCK, &signals, nil)
  }

  /// Sleeps up to `seconds` and returns the signal number when SIGTERM or SIGINT arrives,
  /// or nil when the time passed.
  static func wait(seconds: Double) -> Int32? {
    var signals = terminationSignals()
    let whole = max(0, seconds)
    var timeout = timespec(
      tv_sec: Int(whole), tv_nsec: Int((whole - whole.rounded(.down)) * 1e9))
    while true {
      let signal = sigtimedwait(&signals, nil, &timeout)
      if signal > 0 { return signal }
      if errno == EINTR { continue }
      return nil
    }
  }

  private static func terminationSignals() -> sigset_t {
    var signals = sigset_t()
    sigemptyset(&signals)
    sigaddset(&signals, SIGTERM)
    sigaddset(&signals, SIGINT)
    return signals
  }
}
