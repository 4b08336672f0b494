#if canImport(Glibc)
  import Glibc
#endif

/// Starts work on a detached POSIX thread that nobody joins.
///
/// Probes run here because a thread stuck in the kernel in state D cannot be cancelled or
/// joined: the watchdog only looks at what the thread recorded. The new thread blocks every
/// signal, so SIGTERM and SIGINT always reach the loop thread and never wait on a stuck one.
enum DetachedThread {
  /// Stack size of each thread. Probe code makes a handful of system calls and no deep calls.
  static let stackSize = 256 * 1024

  /// Starts `work` on a new detached thread.
  /// - Throws: `WatchError.threadStartFailed` when `pthread_create` fails, for example
  ///   when the process reached its thread limit.
  static func start(_ work: @escaping @Sendable () -> Void) throws {
    var attributes = pthread_attr_t()
    pthread_attr_init(&attributes)
    defer { pthread_attr_destroy(&attributes) }
    pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
    pthread_attr_setstacksize(&attributes, stackSize)

    let box = Unmanaged.passRetained(ThreadWork(work)).toOpaque()
    var thread = pthread_t()
    let result = pthread_create(&thread, &attributes, runThreadWork, box)
    if result != 0 {
      Unmanaged<ThreadWork>.fromOpaque(box).release()
      throw WatchError.threadStartFailed(errno: result)
    }
  }
}

private final class ThreadWork {
  let work: @Sendable () -> Void
  init(_ work: @escaping @Sendable () -> Void) { self.work = work }
}

private func runThreadWork(_ raw: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
  guard let raw else { return nil }
  var allSignals = sigset_t()
  sigfillset(&allSignals)
  pthread_sigmask(SIG_BLOCK, &allSignals, nil)
  let body = Unmanaged<ThreadWork>.fromOpaque(raw).takeRetainedValue()
  body.work()
  return nil
}
