#if canImport(Glibc)
  import Glibc
#endif

/// Docker's `GET /_ping` over its unix socket with a deadline on every step.
///
/// The socket is non-blocking and each step waits in `poll` for what is left of the
/// deadline, so a stopped daemon, whose kernel socket still accepts connections, costs
/// at most the deadline.
/// TODO: move onto the shared unix-socket HTTP client once it is merged.
enum RuntimePing {
  /// Maximum response size read. A ping response is a few hundred bytes.
  static let responseLimit = 4096

  /// Pings the API at the unix socket `socketPath`. Returns nil when it responded
  /// `200 OK`, else the reason for the failure.
  static func ping(socketPath: String, timeout: Double) -> String? {
    let deadline = MonotonicClock.now() + timeout
    guard let socket = UnixSocketConnection(path: socketPath) else {
      return "could not create a socket: \(WatchError.text(errno))"
    }
    defer { socket.close() }
    if let failure = socket.connect(deadline: deadline) { return failure }
    let request = "GET /_ping HTTP/1.0\r\nHost: docker\r\nUser-Agent: layersweep\r\n\r\n"
    if let failure = socket.send(Array(request.utf8), deadline: deadline) { return failure }

    let (response, failure) = socket.receive(limit: responseLimit, deadline: deadline)
    if let failure { return failure }
    let statusLine = response.split(separator: "\r\n").first.map(String.init) ?? ""
    guard statusLine.hasPrefix("HTTP/1."), statusLine.contains(" 200") else {
      return "responded '\(statusLine)' instead of 200 OK"
    }
    return nil
  }
}

/// A non-blocking `AF_UNIX` stream socket whose every wait ends at a deadline.
struct UnixSocketConnection {
  let descriptor: Int32
  let path: String

  init?(path: String) {
    descriptor = socket(
      AF_UNIX,
      Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue)
        | Int32(SOCK_CLOEXEC.rawValue), 0)
    self.path = path
    guard descriptor >= 0 else { return nil }
  }

  func close() { _ = Glibc.close(descriptor) }

  func connect(deadline: Double) -> String? {
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    let bytes = Array(path.utf8)
    let capacity = MemoryLayout.size(ofValue: address.sun_path)
    guard bytes.count < capacity else { return "socket path is longer than \(capacity - 1) bytes" }
    withUnsafeMutableBytes(of: &address.sun_path) { raw in
      raw.copyBytes(from: bytes)
    }
    let result = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
      }
    }
    if result == 0 { return nil }
    guard errno == EINPROGRESS || errno == EAGAIN else {
      return "connect failed: \(WatchError.text(errno))"
    }
    return wait(for: Int16(POLLOUT), deadline: deadline, step: "connect")
  }

  func send(_ bytes: [UInt8], deadline: Double) -> String? {
    var offset = 0
    while offset < bytes.count {
      if let failure = wait(for: Int16(POLLOUT), deadline: deadline, step: "send") {
        return failure
      }
      let count = bytes[offset...].withUnsafeBytes {
        Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
      }
      if count < 0 && (errno == EAGAIN || errno == EINTR) { continue }
      guard count > 0 else { return "send failed: \(WatchError.text(errno))" }
      offset += count
    }
    return nil
  }

  /// Reads until the peer closes, `limit` bytes arrive or the deadline passes.
  func receive(limit: Int, deadline: Double) -> (String, String?) {
    var received: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 1024)
    while received.count < limit {
      if let failure = wait(for: Int16(POLLIN), deadline: deadline, step: "response") {
        return (String(decoding: received, as: UTF8.self), failure)
      }
      let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
      if count < 0 && (errno == EAGAIN || errno == EINTR) { continue }
      if count < 0 { return ("", "receive failed: \(WatchError.text(errno))") }
      if count == 0 { break }
      received += buffer[0..<count]
    }
    return (String(decoding: received, as: UTF8.self), nil)
  }

  private func wait(for events: Int16, deadline: Double, step: String) -> String? {
    while true {
      let remaining = deadline - MonotonicClock.now()
      guard remaining > 0 else { return "no \(step) within the deadline" }
      var entry = pollfd(fd: descriptor, events: events, revents: 0)
      let ready = poll(&entry, 1, Int32(max(1, (remaining * 1000).rounded(.up))))
      if ready < 0 && errno == EINTR { continue }
      if ready < 0 { return "poll failed: \(WatchError.text(errno))" }
      if ready > 0 {
        if connectError() != 0 { return "\(step) failed: \(WatchError.text(connectError()))" }
        return nil
      }
    }
  }

  private func connectError() -> Int32 {
    var value: Int32 = 0
    var length = socklen_t(MemoryLayout<Int32>.size)
    getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &value, &length)
    return value
  }
}
