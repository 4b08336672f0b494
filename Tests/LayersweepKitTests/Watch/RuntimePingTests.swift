import Foundation
import Testing

@testable import LayersweepKit

@Suite struct RuntimePingTests {
  @Test func respondingSocketIsHealthy() throws {
    let directory = try TemporaryDirectory()
    let server = try FakeUnixServer(path: directory.path + "/docker.sock")
    defer { server.close() }
    server.serveOnce(response: "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nOK")
    #expect(RuntimePing.ping(socketPath: server.path, timeout: 5) == nil)
  }

  @Test func silentSocketTimesOut() throws {
    let directory = try TemporaryDirectory()
    let server = try FakeUnixServer(path: directory.path + "/docker.sock")
    defer { server.close() }
    #expect(
      RuntimePing.ping(socketPath: server.path, timeout: 0.2) == "no response within the deadline")
  }

  @Test func errorStatusIsReported() throws {
    let directory = try TemporaryDirectory()
    let server = try FakeUnixServer(path: directory.path + "/docker.sock")
    defer { server.close() }
    server.serveOnce(response: "HTTP/1.1 500 Internal Server Error\r\n\r\n")
    let failure = RuntimePing.ping(socketPath: server.path, timeout: 5)
    #expect(failure == "responded 'HTTP/1.1 500 Internal Server Error' instead of 200 OK")
  }

  @Test func missingSocketIsAbsent() {
    let failure = Watchdog.pingProbe(socket: "/nonexistent/docker.sock", timeout: 1)
    #expect(failure?.operation == Watchdog.absentOperation)
  }

  @Test func notifierSendsDatagram() throws {
    let directory = try TemporaryDirectory()
    let path = directory.path + "/notify"
    let receiver = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
    defer { close(receiver) }
    try bindUnix(receiver, path)
    let environment = ["NOTIFY_SOCKET": path, "WATCHDOG_USEC": "4000000"]
    let notifier = try #require(SystemdNotifier.fromEnvironment(environment))
    #expect(notifier.watchdogInterval == 2)
    #expect(notifier.notify("READY=1"))
    var buffer = [UInt8](repeating: 0, count: 64)
    let count = recv(receiver, &buffer, buffer.count, Int32(MSG_DONTWAIT))
    #expect(String(decoding: buffer[0..<max(0, count)], as: UTF8.self) == "READY=1")
  }

  @Test func notifierAbsentWithoutSocket() {
    #expect(SystemdNotifier.fromEnvironment([:]) == nil)
  }
}

func bindUnix(_ descriptor: Int32, _ path: String) throws {
  var address = sockaddr_un()
  address.sun_family = sa_family_t(AF_UNIX)
  withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
  let result = withUnsafePointer(to: &address) {
    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
      bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
    }
  }
  guard result == 0 else { throw POSIXError(.EADDRINUSE) }
}

/// A unix stream socket that accepts connections and responds only after `serveOnce`.
final class FakeUnixServer: @unchecked Sendable {
  let path: String
  let descriptor: Int32

  init(path: String) throws {
    self.path = path
    descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    try bindUnix(descriptor, path)
    listen(descriptor, 4)
  }

  /// Accepts one connection on another thread, reads the request and sends `response`.
  func serveOnce(response: String) {
    let descriptor = descriptor
    Thread.detachNewThread {
      let connection = accept(descriptor, nil, nil)
      guard connection >= 0 else { return }
      var buffer = [UInt8](repeating: 0, count: 1024)
      _ = recv(connection, &buffer, buffer.count, 0)
      let bytes = Array(response.utf8)
      _ = send(connection, bytes, bytes.count, Int32(MSG_NOSIGNAL))
      _ = Glibc.close(connection)
    }
  }

  func close() {
    shutdown(descriptor, Int32(SHUT_RDWR))
    _ = Glibc.close(descriptor)
  }
}
