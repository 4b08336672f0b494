#if canImport(Glibc)
  import Glibc
#endif

/// A small HTTP/1.0 server for `GET /metrics`, on POSIX sockets and one thread.
///
/// It serves GET and HEAD only and reads at most `requestLimit` bytes of a request. Each
/// connection gets at most `connectionTimeout` seconds to send its request and read the
/// response, so a slow client delays the next one by at most that. The body comes from
/// `body`, which returns the text the loop last rendered and never touches a mount.
final class MetricsServer: @unchecked Sendable {
  static let requestLimit = 8192
  static let connectionTimeout = 2.0

  private let listener: Int32
  /// The address actually bound, with the port the kernel chose for port 0.
  let boundAddress: ListenAddress
  private let body: @Sendable () -> String

  /// Binds and listens on `address`; call `start` to serve.
  init(address: ListenAddress, body: @escaping @Sendable () -> String) throws {
    let family = address.isIPv6 ? AF_INET6 : AF_INET
    let descriptor = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard descriptor >= 0 else {
      throw WatchError.listenFailed(address: address.description, errno: errno)
    }
    var enable: Int32 = 1
    setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &enable, socklen_t(MemoryLayout<Int32>.size))
    var bound = address
    do {
      bound.port = try SocketAddress.bind(descriptor, to: address)
    } catch {
      Glibc.close(descriptor)
      throw error
    }
    listener = descriptor
    boundAddress = bound
    self.body = body
  }

  /// Serves requests on a detached thread until the process exits.
  func start() throws {
    try DetachedThread.start { [self] in
      while true {
        let connection = accept(listener, nil, nil)
        if connection < 0 {
          if errno == EBADF || errno == EINVAL { return }
          continue
        }
        _ = fcntl(connection, F_SETFD, FD_CLOEXEC)
        serve(connection)
        Glibc.close(connection)
      }
    }
  }

  /// Stops accepting connections; the serving thread ends at its next accept.
  func stop() {
    shutdown(listener, Int32(SHUT_RDWR))
  }

  private func serve(_ connection: Int32) {
    var timeout = timeval(tv_sec: Int(Self.connectionTimeout), tv_usec: 0)
    let size = socklen_t(MemoryLayout<timeval>.size)
    setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, size)
    setsockopt(connection, SOL_SOCKET, SO_SNDTIMEO, &timeout, size)
    let deadline = MonotonicClock.now() + Self.connectionTimeout

    guard let request = readRequest(connection, deadline: deadline) else {
      let response = HTTPResponse.text(400, "Bad Request", "invalid or incomplete request\n")
      send(connection, response, deadline: deadline)
      return
    }
    send(connection, respond(to: request), deadline: deadline)
  }

  func respond(to requestHead: String) -> HTTPResponse {
    let requestLine = requestHead.split(separator: "\r\n").first ?? ""
    let parts = requestLine.split(separator: " ")
    guard parts.count == 3, parts[2].hasPrefix("HTTP/1.") else {
      return .text(400, "Bad Request", "invalid request line\n")
    }
    let method = parts[0]
    guard method == "GET" || method == "HEAD" else {
      return .text(405, "Method Not Allowed", "only GET and HEAD are supported\n")
    }
    var response: HTTPResponse
    switch parts[1].split(separator: "?").first ?? "" {
    case "/metrics":
      response = HTTPResponse(
        status: 200, reason: "OK", contentType: "text/plain; version=0.0.4; charset=utf-8",
        body: body())
    case "/":
      response = .text(200, "OK", "layersweep watch: metrics at /metrics\n")
    default:
      response = .text(404, "Not Found", "not found; metrics are at /metrics\n")
    }
    response.omitsBody = method == "HEAD"
    return response
  }

  private func readRequest(_ connection: Int32, deadline: Double) -> String? {
    var received: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 2048)
    while received.count < Self.requestLimit, MonotonicClock.now() < deadline {
      let count = buffer.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
      if count < 0 && errno == EINTR { continue }
      guard count > 0 else { return nil }
      received += buffer[0..<count]
      if Self.containsHeaderEnd(received) { return String(decoding: received, as: UTF8.self) }
    }
    return nil
  }

  /// Returns whether `bytes` contains the blank line that ends an HTTP request head.
  static func containsHeaderEnd(_ bytes: [UInt8]) -> Bool {
    let terminator = Array("\r\n\r\n".utf8)
    guard bytes.count >= terminator.count else { return false }
    for start in 0...(bytes.count - terminator.count)
    where bytes[start..<(start + terminator.count)].elementsEqual(terminator) {
      return true
    }
    return false
  }

  private func send(_ connection: Int32, _ response: HTTPResponse, deadline: Double) {
    let bytes = Array(response.serialized().utf8)
    var offset = 0
    while offset < bytes.count, MonotonicClock.now() < deadline {
      let count = bytes[offset...].withUnsafeBytes {
        Glibc.send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
      }
      if count < 0 && errno == EINTR { continue }
      guard count > 0 else { return }
      offset += count
    }
  }
}

/// One HTTP/1.0 response.
struct HTTPResponse: Equatable, Sendable {
  var status: Int
  var reason: String
  var contentType: String
  var body: String
  var omitsBody = false

  static func text(_ status: Int, _ reason: String, _ body: String) -> HTTPResponse {
    HTTPResponse(
      status: status, reason: reason, contentType: "text/plain; charset=utf-8", body: body)
  }

  func serialized() -> String {
    var text = "HTTP/1.0 \(status) \(reason)\r\n"
    text += "Content-Type: \(contentType)\r\nContent-Length: \(body.utf8.count)\r\n"
    text += "Connection: close\r\n\r\n"
    return omitsBody ? text : text + body
  }
}
