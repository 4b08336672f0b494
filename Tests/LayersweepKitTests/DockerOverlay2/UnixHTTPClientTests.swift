import Foundation
import Testing

@testable import LayersweepKit

@Suite struct UnixHTTPClientTests {
  /// A listening unix socket in a temporary directory; never accepts unless asked to.
  final class Listener {
    let directory: DockerRootFixture
    let path: String
    let fd: Int32

    init() throws {
      directory = try DockerRootFixture()
      path = directory.base + "/api.sock"
      fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
      var address = sockaddr_un()
      address.sun_family = sa_family_t(AF_UNIX)
      withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
      let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
          bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
        }
      }
      guard bound == 0, listen(fd, 4) == 0 else { throw FixtureError("bind or listen failed") }
    }

    deinit { close(fd) }

    /// Accepts one connection on a thread, reads the request and writes `response`.
    func answerOnce(with response: String) {
      let fd = self.fd
      Thread.detachNewThread {
        let connection = accept(fd, nil, nil)
        guard connection >= 0 else { return }
        var buffer = [UInt8](repeating: 0, count: 4096)
        _ = recv(connection, &buffer, buffer.count, 0)
        _ = Array(response.utf8).withUnsafeBytes { send(connection, $0.baseAddress, $0.count, 0) }
        close(connection)
      }
    }
  }

  @Test func silentPeerTimesOut() throws {
    let listener = try Listener()
    let client = UnixHTTPClient(socketPath: listener.path)
    #expect(throws: UnixHTTPError(socketPath: listener.path, message: "receive timed out")) {
      try client.get("/_ping", timeout: 0.2)
    }
  }

  @Test func missingSocketFails() {
    let client = UnixHTTPClient(socketPath: "/nonexistent/layersweep.sock")
    #expect(throws: UnixHTTPError.self) { try client.get("/_ping", timeout: 0.2) }
  }

  @Test func decodesChunkedBody() throws {
    let listener = try Listener()
    listener.answerOnce(
      with: "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        + "Transfer-Encoding: chunked\r\n\r\n4\r\n[{\"I\r\n"
        + "14\r\nd\":\"x\",\"State\":\"a\"}]\r\n0\r\n\r\n")
    let response = try UnixHTTPClient(socketPath: listener.path)
      .get("/containers/json?all=1", timeout: 5)
    #expect(response.statusCode == 200)
    #expect(String(decoding: response.body, as: UTF8.self) == "[{\"Id\":\"x\",\"State\":\"a\"}]")
  }

  @Test func apiStatesNeedPing() throws {
    let listener = try Listener()
    listener.answerOnce(with: "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n")
    let check = DockerAPICrossCheck(
      client: UnixHTTPClient(socketPath: listener.path), timeout: 5)
    #expect(check.containerStates() == nil)
  }
}
