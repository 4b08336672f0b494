import Foundation
import Testing

@testable import LayersweepKit

@Suite struct SystemdUnitTests {
  /// `contrib/systemd` of this checkout.
  static let unitDirectory = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("contrib/systemd").path

  /// `systemd-analyze verify` needs no running systemd, but it does check that ExecStart
  /// exists, so the units are checked with ExecStart pointing at the built binary. It exits 0
  /// on unknown keys and bad values too, only warning, so its output must be empty.
  @Test func unitsPassVerify() throws {
    let fixture = try CleanFixture()
    for name in ["layersweep-clean.service", "layersweep-clean.timer"] {
      let text = try String(contentsOfFile: Self.unitDirectory + "/" + name, encoding: .utf8)
      let rewritten = text.replacingOccurrences(
        of: "/usr/local/bin/layersweep", with: ProcessRun.layersweepPath)
      try fixture.write(rewritten, to: fixture.directory + "/" + name)
    }

    let run = try ProcessRun.run(
      "/usr/bin/systemd-analyze",
      [
        "verify", "--man=no", fixture.directory + "/layersweep-clean.service",
        fixture.directory + "/layersweep-clean.timer",
      ])

    #expect(run.status == 0)
    #expect(run.stderr == "")
  }

  @Test func timerIsNightlyPersistentAndRandomized() throws {
    let text = try String(
      contentsOfFile: Self.unitDirectory + "/layersweep-clean.timer", encoding: .utf8)
    let lines = Set(text.split(separator: "\n").map(String.init))
    #expect(lines.contains("OnCalendar=*-*-* 03:00:00"))
    #expect(lines.contains("RandomizedDelaySec=1h"))
    #expect(lines.contains("Persistent=true"))
  }

  @Test func serviceRunsUnattendedClean() throws {
    let text = try String(
      contentsOfFile: Self.unitDirectory + "/layersweep-clean.service", encoding: .utf8)
    let lines = Set(text.split(separator: "\n").map(String.init))
    #expect(lines.contains("Type=oneshot"))
    #expect(
      lines.contains(
        "ExecStart=/usr/local/bin/layersweep clean --yes --min-age 24h --purge --retention 7d"))
  }
}
