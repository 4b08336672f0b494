import Foundation
import Testing

@testable import LayersweepKit

/// Runs the built `layersweep watch` as systemd's notify service would, with
/// `$NOTIFY_SOCKET` set to a datagram socket the test binds.
@Suite struct WatchServiceTests {
  @Test func notifiesSystemdAndWritesTextfile() throws {
    let directory = try FixtureDirectory()
    defer { directory.remove() }
    let socketPath = directory.path + "/notify"
    let receiver = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
    defer { close(receiver) }
    try bindDatagram(receiver, socketPath)

    let process = Process()
    process.executableURL = URL(fileURLWithPath: StoppedFuseTests.executable)
    process.arguments = [
      "watch", "--no-discovery", "--mount", directory.path, "--docker-socket", "none",
      "--kernel-log", "none", "--listen", "none", "--interval", "100ms", "--rounds", "3",
      "--textfile", directory.path + "/layersweep.prom",
    ]
    process.environment = ["NOTIFY_SOCKET": socketPath, "WATCHDOG_USEC": "2000000"]
    process.standardError = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()

    #expect(process.terminationStatus == 0)
    let messages = receiveAll(receiver)
    #expect(messages.first == "READY=1")
    #expect(messages.dropFirst().allSatisfy { $0 == "WATCHDOG=1" })
    #expect(messages.filter { $0 == "WATCHDOG=1" }.count >= 3)
    let textfile = contents(directory.path + "/layersweep.prom")
    #expect(textfile.contains("layersweep_watch_rounds_total 3\n"))
    #expect(try shell("promtool check metrics < '\(directory.path)/layersweep.prom' 2>&1") == "")
  }
}

private func bindDatagram(_ descriptor: Int32, _ path: String) throws {
  var address = sockaddr_un()
  address.sun_family = sa_family_t(AF_UNIX)
  withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
  let result = withUnsafePointer(to: &address) {
    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
      bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
    }
  }
  guard result == 0 else { throw FixtureError(message: "bind \(path) failed") }
}

/// Returns every datagram waiting on `descriptor`, without blocking.
private func receiveAll(_ descriptor: Int32) -> [String] {
  var messages: [String] = []
  var buffer = [UInt8](repeating: 0, count: 256)
  while true {
    let count = recv(descriptor, &buffer, buffer.count, Int32(MSG_DONTWAIT))
    guard count > 0 else { return messages }
    messages.append(String(decoding: buffer[0..<count], as: UTF8.self))
  }
}
