import Foundation
import Testing

@testable import LayersweepKit

@Suite struct MetricsTests {
  static func sampleMetrics() -> WatchMetrics {
    var metrics = WatchMetrics()
    metrics.rounds = 3
    metrics.lastRoundUnixSeconds = 1_700_000_000
    let mount = WatchedMount(
      mountPoint: "/mnt/with \"quote\"\\slash", probePath: "/mnt", fsType: "ext4",
      source: "/dev/loop0")
    metrics.mounts = [
      .init(
        mount: mount, isStalled: true, stallSeconds: 12.5, lastProbeSeconds: 0.004,
        stallsTotal: 1, probeFailuresTotal: 0)
    ]
    metrics.runtimes = [
      .init(runtime: "docker", socket: "/run/d.sock", isResponding: false, stallsTotal: 2)
    ]
    metrics.blockedTasks = [
      Finding(
        kind: .blockedTask, store: "proc", id: "5/5", ageSeconds: 40,
        details: ["pid": "5", "tid": "5", "command": "dd", "wchan": "percpu_rwsem_wait"])
    ]
    metrics.findingsByKind = [.hungFilesystem: 1, .blockedTask: 1]
    metrics.kernelHungTaskDetectCount = 4
    return metrics
  }

  @Test func rendersEscapedLabels() {
    let text = MetricsRenderer.render(Self.sampleMetrics())
    let expected =
      "layersweep_watch_mount_stalled{mountpoint=\"/mnt/with \\\"quote\\\"\\\\slash\","
      + "fstype=\"ext4\",device=\"/dev/loop0\"} 1\n"
    #expect(text.contains(expected))
    #expect(text.contains("layersweep_watch_findings{kind=\"hung-filesystem\"} 1\n"))
    #expect(text.contains("layersweep_watch_findings{kind=\"unresponsive-runtime\"} 0\n"))
    #expect(text.contains("layersweep_kernel_hung_tasks_detected 4\n"))
    #expect(
      text.contains("layersweep_watch_runtime_up{runtime=\"docker\",socket=\"/run/d.sock\"} 0\n"))
  }

  @Test func passesPromtool() throws {
    let directory = try TemporaryDirectory()
    let path = directory.path + "/metrics.prom"
    try MetricsRenderer.render(Self.sampleMetrics()).write(
      toFile: path, atomically: true, encoding: .utf8)
    let result = try runTool("/bin/sh", ["-c", "promtool check metrics < \(path)"])
    #expect(result.output == "")
    #expect(result.status == 0)
  }

  @Test func textfileWriteIsAtomic() throws {
    let directory = try TemporaryDirectory()
    let path = directory.path + "/layersweep.prom"
    #expect(TextfileWriter.write("a 1\n", to: path) == nil)
    #expect(TextfileWriter.write("a 2\n", to: path) == nil)
    #expect(try String(contentsOfFile: path, encoding: .utf8) == "a 2\n")
    #expect(
      try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["layersweep.prom"])
  }

  @Test func textfileInMissingDirectoryFails() {
    let failure = TextfileWriter.write("a 1\n", to: "/nonexistent/dir/layersweep.prom")
    #expect(failure?.operation == "create")
    #expect(failure?.errno == ENOENT)
  }
}

/// Runs `path` with `arguments` and returns its exit status and combined output.
func runTool(_ path: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
  let process = Process()
  process.executableURL = URL(fileURLWithPath: path)
  process.arguments = arguments
  let pipe = Pipe()
  process.standardOutput = pipe
  process.standardError = pipe
  try process.run()
  let data = pipe.fileHandleForReading.readDataToEndOfFile()
  process.waitUntilExit()
  return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}
