import Foundation
import Testing

@testable import LayersweepKit

/// Stops a real fuse-overlayfs daemon with SIGSTOP while the built `layersweep watch` runs as
/// a separate process. Needs root, /dev/fuse and fuse-overlayfs.
@Suite(.serialized) struct StoppedFuseTests {
  /// The built executable, next to this package's sources.
  static let executable = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent(".build/debug/layersweep").path

  @Test func stoppedDaemonKeepsMetricsAndSigterm() throws {
    let directory = try FixtureDirectory()
    let base = directory.path
    var daemon: Int32 = 0
    var watcher: Int32 = 0
    defer {
      if daemon > 0 { kill(daemon, SIGCONT) }
      if watcher > 0 { kill(watcher, SIGKILL) }
      _ = try? shell("umount '\(base)/merged'")
      if daemon > 0 { kill(daemon, SIGTERM) }
      directory.remove()
    }
    try shell("mkdir '\(base)/lower' '\(base)/upper' '\(base)/work' '\(base)/merged'")
    daemon = try startProcess(
      [
        "/usr/bin/fuse-overlayfs", "-f", "-o",
        "lowerdir=\(base)/lower,upperdir=\(base)/upper,workdir=\(base)/work", "\(base)/merged",
      ], stdout: base + "/fuse.out", stderr: base + "/fuse.err")
    #expect(eventually { isMounted(base + "/merged") })

    kill(daemon, SIGSTOP)
    watcher = try startProcess(
      [
        Self.executable, "watch", "--no-discovery", "--mount", base + "/merged",
        "--docker-socket", "none", "--kernel-log", "none", "--listen", "127.0.0.1:0",
        "--interval", "300ms", "--timeout", "300ms", "--json",
      ], stdout: base + "/watch.out", stderr: base + "/watch.err")

    let isReported = eventually { contents(base + "/watch.out").contains("\"event\":\"started\"") }
    #expect(isReported)
    let event = try firstEvent(in: contents(base + "/watch.out"))
    #expect(event.finding.kind == .hungFilesystem)
    #expect(event.finding.id == base + "/merged")
    #expect(event.finding.details["fstype"] == "fuse.fuse-overlayfs")
    #expect(event.finding.details["probe"] == "statfs")

    let port = try #require(servingPort(contents(base + "/watch.err")))
    let response = try httpGet(port: port, path: "/metrics")
    #expect(response.hasPrefix("HTTP/1.0 200 OK\r\n"))
    let body = String(response.split(separator: "\r\n\r\n", maxSplits: 1).last ?? "")
    let stalled =
      "layersweep_watch_mount_stalled{mountpoint=\"\(base)/merged\",fstype=\"fuse.fuse-overlayfs\","
      + "device=\"fuse-overlayfs\"} 1\n"
    #expect(body.contains(stalled))
    try body.write(toFile: base + "/metrics.prom", atomically: true, encoding: .utf8)
    #expect(try shell("promtool check metrics < '\(base)/metrics.prom' 2>&1") == "")

    kill(watcher, SIGTERM)
    #expect(eventually(seconds: 10) { hasExited(watcher) })
    #expect(contents(base + "/watch.err").contains("notice: watch stopping signal=15"))
  }
}

func contents(_ path: String) -> String {
  (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
}

func isMounted(_ target: String) -> Bool {
  let mounts = (try? MountInfoSource.readMounts(path: "/proc/self/mountinfo")) ?? []
  return mounts.contains { $0.target == target }
}

func firstEvent(in text: String) throws -> WatchEvent {
  let line = try #require(text.split(separator: "\n").first)
  let decoder = JSONDecoder()
  decoder.dateDecodingStrategy = .iso8601
  return try decoder.decode(WatchEvent.self, from: Data(line.utf8))
}

/// Returns the port in the `serving metrics address=127.0.0.1:PORT` log line.
func servingPort(_ log: String) -> UInt16? {
  guard let range = log.range(of: "serving metrics address=127.0.0.1:") else { return nil }
  return UInt16(log[range.upperBound...].prefix { $0.isNumber })
}

/// Sends one GET to 127.0.0.1:`port` and returns the raw response.
func httpGet(port: UInt16, path: String) throws -> String {
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
  guard connected == 0 else { throw FixtureError(message: "connect to 127.0.0.1:\(port) failed") }
  let request = Array("GET \(path) HTTP/1.0\r\n\r\n".utf8)
  _ = send(descriptor, request, request.count, Int32(MSG_NOSIGNAL))
  var received: [UInt8] = []
  var buffer = [UInt8](repeating: 0, count: 4096)
  while true {
    let count = recv(descriptor, &buffer, buffer.count, 0)
    if count <= 0 { break }
    received += buffer[0..<count]
  }
  return String(decoding: received, as: UTF8.self)
}
