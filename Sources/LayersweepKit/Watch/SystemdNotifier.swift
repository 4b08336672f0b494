#if canImport(Glibc)
  import Glibc
#endif

/// Sends sd_notify messages (`READY=1`, `WATCHDOG=1`, `STOPPING=1`) to the datagram socket
/// systemd names in `$NOTIFY_SOCKET`, without libsystemd. A path starting with `@` names an
/// abstract socket.
public struct SystemdNotifier: Sendable {
  public let socketPath: String
  /// Half of `$WATCHDOG_USEC`, in seconds: how often systemd's watchdog must hear from
  /// the service; nil when the unit has no `WatchdogSec`.
  public let watchdogInterval: Double?

  public init(socketPath: String, watchdogInterval: Double?) {
    self.socketPath = socketPath
    self.watchdogInterval = watchdogInterval
  }

  /// The notifier for this process's environment, or nil when `$NOTIFY_SOCKET` is unset.
  public static func fromEnvironment(_ environment: [String: String]) -> SystemdNotifier? {
    guard let path = environment["NOTIFY_SOCKET"], !path.isEmpty else { return nil }
    let usec = environment["WATCHDOG_USEC"].flatMap(Double.init)
    let pidMatches = environment["WATCHDOG_PID"].map { $0 == "\(getpid())" } ?? true
    let interval = pidMatches ? usec.map { $0 / 2_000_000 } : nil
    return SystemdNotifier(socketPath: path, watchdogInterval: interval)
  }

  /// Sends `message`, such as `READY=1`, and returns whether the socket took it.
  @discardableResult
  public func notify(_ message: String) -> Bool {
    let descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard descriptor >= 0 else { return false }
    defer { close(descriptor) }

    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    var pathBytes = Array(socketPath.utf8)
    if pathBytes.first == UInt8(ascii: "@") { pathBytes[0] = 0 }
    let capacity = MemoryLayout.size(ofValue: address.sun_path)
    guard pathBytes.count < capacity else { return false }
    withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: pathBytes) }
    let length = socklen_t(MemoryLayout<sa_family_t>.size + pathBytes.count)

    let payload = Array(message.utf8)
    let sent = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        sendto(descriptor, payload, payload.count, Int32(MSG_NOSIGNAL), $0, length)
      }
    }
    return sent == payload.count
  }
}
