#if canImport(Glibc)
  import Glibc
#endif

/// Retries a system call that failed with `EINTR`.
@inline(__always)
func retryingOnInterrupt(_ call: () -> Int32) -> Int32 {
  while true {
    let result = call()
    if result >= 0 || Glibc.errno != EINTR { return result }
  }
}
