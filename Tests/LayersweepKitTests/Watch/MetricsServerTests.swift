import Foundation
import Testing

@testable import LayersweepKit

@Suite struct MetricsServerTests {
  static func startServer() throws -> MetricsServer {
    let address = try ListenAddress.parse("127.0.0.1:0")
    let server = try MetricsServer(address: address) { "layersweep_watch_rounds_total 1\n" }
    try server.start()
    return server
  }

  @Test func getMetrics() throws {
    let server = try Self.startServer()
    defer { server.stop() }
    let response = try loopbackRequest(
      port: server.boundAddress.port, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
    #expect(response.hasPrefix("HTTP/1.0 200 OK\r\n"))
    #expect(response.contains("Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n"))
    #expect(response.hasSuffix("\r\n\r\nlayersweep_watch_rounds_total 1\n"))
  }

  @Test(arguments: [
    ("POST /metrics HTTP/1.1\r\n\r\n", "HTTP/1.0 405 Method Not Allowed"),
    ("GET /other HTTP/1.1\r\n\r\n", "HTTP/1.0 404 Not Found"),
    ("garbage\r\n\r\n", "HTTP/1.0 400 Bad Request"),
    (String(repeating: "A", count: 9000), "HTTP/1.0 400 Bad Request"),
  ])
  func rejectsBadRequests(request: String, statusLine: String) throws {
    let server = try Self.startServer()
    defer { server.stop() }
    let response = try loopbackRequest(port: server.boundAddress.port, request)
    #expect(response.hasPrefix(statusLine + "\r\n"))
  }

  @Test func headOmitsBody() throws {
    let server = try Self.startServer()
    defer { server.stop() }
    let response = try loopbackRequest(
      port: server.boundAddress.port, "HEAD /metrics HTTP/1.0\r\n\r\n")
    #expect(response.hasSuffix("Connection: close\r\n\r\n"))
  }

  @Test(arguments: ["localhost:80", "127.0.0.1", "127.0.0.1:99999", "[::1:80"])
  func invalidListenAddress(text: String) {
    #expect(throws: WatchError.invalidListenAddress(text)) { try ListenAddress.parse(text) }
  }

  @Test func ipv6ListenAddress() throws {
    let address = try ListenAddress.parse("[::1]:9476")
    #expect(address == ListenAddress(host: "::1", port: 9476, isIPv6: true))
    #expect(address.description == "[::1]:9476")
  }
}

/// Sends `request` to 127.0.0.1:`port` and returns everything the server sends back.
func loopbackRequest(port: UInt16, _ request: String) throws -> String {
  let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
  defer { close(descriptor) }
  var address = sockaddr_in()
  address.sin_family = sa_family_t(AF_INET)
  address.sin_port = port.bigEndian
  inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
  var timeout = timeval(tv_sec: 5, tv_usec: 0)
  setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
  let connected = withUnsafePointer(to: &address) {
    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
      connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
    }
  }
  guard connected == 0 else { throw POSIXError(.ECONNREFUSED) }
  let bytes = Array(request.utf8)
  _ = send(descriptor, bytes, bytes.count, Int32(MSG_NOSIGNAL))
  var received: [UInt8] = []
  var buffer = [UInt8](repeating: 0, count: 4096)
  while true {
    let count = recv(descriptor, &buffer, buffer.count, 0)
    if count <= 0 { break }
    received += buffer[0..<count]
  }
  return String(decoding: received, as: UTF8.self)
}
