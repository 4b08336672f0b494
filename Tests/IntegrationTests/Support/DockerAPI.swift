import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// The one Docker Engine API call the fixture makes itself: `GET /_ping` over the unix
/// socket, with send and receive timeouts so a hung daemon cannot hang a test.
enum DockerAPI {
  /// Returns whether the daemon on `socketPath` replied to `/_ping` with `200 OK` within
  /// `timeout` seconds.
  static func ping(socketPath: String, timeout: TimeInterval) -> Bool {
    let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    guard descriptor >= 0 else { return false }
    defer { close(descriptor) }
    setTimeouts(descriptor, timeout)
    guard connect(descriptor, socketPath) else { return false }

    let request = "GET /_ping HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n\r\n"
    let sent = request.withCString { send(descriptor, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
    guard sent > 0 else { return false }
    var buffer = [UInt8](repeating: 0, count: 512)
    let received = recv(descriptor, &buffer, buffer.count, 0)
    guard received > 0 else { return false }
    return String(decoding: buffer[0..<received], as: UTF8.self).hasPrefix("HTTP/1.1 200")
  }

  private static func setTimeouts(_ descriptor: Int32, _ timeout: TimeInterval) {
    var value = timeval(tv_sec: Int(timeout), tv_usec: 0)
    let size = socklen_t(MemoryLayout<timeval>.size)
    setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &value, size)
    setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &value, size)
  }

  private static func connect(_ descriptor: Int32, _ path: String) -> Bool {
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    let bytes = Array(path.utf8)
    guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return false }
    withUnsafeMutableBytes(of: &address.sun_path) { raw in
      raw.copyBytes(from: bytes)
    }
    return withUnsafePointer(to: &address) { pointer in
      pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) == 0
      }
    }
  }
}
