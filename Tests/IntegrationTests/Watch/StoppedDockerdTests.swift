import Foundation
import Testing

@testable import LayersweepKit

/// Starts a private dockerd (its own data root, exec root, socket and pidfile, no bridge and
/// no iptables), stops it with SIGSTOP and resumes it. Needs root and docker.io.
@Suite(.serialized) struct StoppedDockerdTests {
  @Test func stoppedDockerdIsUnresponsive() throws {
    let directory = try FixtureDirectory()
    let base = directory.path
    var daemon: Int32 = 0
    defer {
      if daemon > 0 {
        kill(daemon, SIGCONT)
        kill(daemon, SIGTERM)
        if !eventually(seconds: 30, { hasExited(daemon) }) { kill(daemon, SIGKILL) }
      }
      directory.remove()
    }
    let socket = base + "/docker.sock"
    try "{}".write(toFile: base + "/daemon.json", atomically: true, encoding: .utf8)
    daemon = try startProcess(
      [
        "/usr/sbin/dockerd", "--config-file", base + "/daemon.json", "--data-root", base + "/root",
        "--exec-root", base + "/exec", "-H", "unix://" + socket, "--pidfile", base + "/docker.pid",
        "--bridge=none", "--iptables=false", "--ip-masq=false", "--userland-proxy=false",
      ], stdout: base + "/dockerd.out", stderr: base + "/dockerd.err")
    let isAnswering = eventually(seconds: 60) {
      RuntimePing.ping(socketPath: socket, timeout: 1) == nil
    }
    try #require(
      isAnswering, "dockerd did not answer: \(contents(base + "/dockerd.err").suffix(500))")

    let watchdog = testWatchdog(dockerSockets: [socket])
    _ = watchdog.runRound()
    #expect(eventually { !watchdog.hasOutstandingProbes })
    #expect(watchdog.runRound().filter { $0.finding.kind == .unresponsiveRuntime }.isEmpty)

    kill(daemon, SIGSTOP)
    let stopped = roundsUntil(watchdog) {
      $0.event == .started && $0.finding.kind == .unresponsiveRuntime
    }
    let started = stopped.first { $0.event == .started && $0.finding.kind == .unresponsiveRuntime }
    #expect(started?.finding.id == socket)
    #expect(started?.finding.store == "docker")
    #expect(
      watchdog.metricsText.contains(
        "layersweep_watch_runtime_up{runtime=\"docker\",socket=\"\(socket)\"} 0\n"))

    kill(daemon, SIGCONT)
    let resumed = roundsUntil(watchdog) {
      $0.event == .cleared && $0.finding.kind == .unresponsiveRuntime
    }
    #expect(resumed.contains { $0.event == .cleared && $0.finding.id == socket })
    #expect(
      watchdog.metricsText.contains(
        "layersweep_watch_runtime_up{runtime=\"docker\",socket=\"\(socket)\"} 1\n"))
  }
}
