import Foundation
import Testing

@testable import LayersweepKit

/// Runs the built `layersweep watch --once` as node-problem-detector would.
@Suite(.serialized) struct WatchOnceTests {
  static func onceCommand(_ probeDirectory: String) -> String {
    "'\(StoppedFuseTests.executable)' watch --once --no-discovery --write-probe '\(probeDirectory)' "
      + "--docker-socket none --kernel-log none --timeout 500ms 2>/dev/null; echo status=$?"
  }

  @Test func healthyMountExitsZero() throws {
    let filesystem = try LoopFilesystem()
    defer { filesystem.teardown() }
    let output = try shell(Self.onceCommand(filesystem.mountPoint + "/probe"))
    #expect(output == "no hung filesystems, blocked tasks or unresponsive runtimes\nstatus=0\n")
  }

  /// The probe thread stays in state D until the thaw, which comes only in teardown: the
  /// command must return while the filesystem is still frozen.
  @Test func frozenMountExitsOne() throws {
    let filesystem = try LoopFilesystem()
    defer { filesystem.teardown() }
    let probe = filesystem.mountPoint + "/probe"
    try shell("mkdir '\(probe)'")
    try filesystem.freeze()
    let output = try shell(Self.onceCommand(probe))
    filesystem.thaw()
    let lines = output.split(separator: "\n").map(String.init)
    let expected =
      "hung-filesystem \(filesystem.mountPoint): the write probe on \(filesystem.mountPoint) "
      + "has not returned after"
    // Other suites may leave tasks in state D at the same time, so only this mount's line
    // is checked.
    #expect(lines.filter { $0.hasPrefix("hung-filesystem \(filesystem.mountPoint):") }.count == 1)
    #expect(lines.contains { $0.hasPrefix(expected) }, "output: \(output)")
    #expect(lines.last == "status=1")
  }
}
