import Foundation
import Testing

@testable import LayersweepKit

/// Freezes a real loop-mounted ext4 with fsfreeze. Needs root.
@Suite(.serialized) struct FrozenFilesystemTests {
  @Test func writeProbeAndWriterOnFrozenExt4() throws {
    let filesystem = try LoopFilesystem()
    var writer: Int32 = 0
    defer {
      filesystem.thaw()
      if writer > 0 { kill(writer, SIGKILL) }
      filesystem.teardown()
    }
    let probeDirectory = filesystem.mountPoint + "/probe"
    let watchdog = testWatchdog(writeProbes: [probeDirectory])
    _ = watchdog.runRound()
    #expect(eventually { !watchdog.hasOutstandingProbes })
    #expect(watchdog.runRound().filter { $0.finding.kind == .hungFilesystem }.isEmpty)

    try filesystem.freeze()
    let output = filesystem.directory.path + "/writer.out"
    writer = try startProcess(
      [
        "/bin/sh", "-c",
        "cd '\(filesystem.mountPoint)' && exec dd if=/dev/zero of=f bs=4k count=1 conv=fsync",
      ],
      stdout: output, stderr: output)
    let blocked = roundsUntil(watchdog) { isBlocked($0, pid: writer, event: .started) }
    let stalled = blocked.first { $0.finding.kind == .hungFilesystem && $0.event == .started }
    let task = blocked.first { isBlocked($0, pid: writer, event: .started) }

    #expect(stalled?.finding.id == filesystem.mountPoint)
    #expect(stalled?.finding.details["probe"] == "write")
    #expect(stalled?.finding.details["fstype"] == "ext4")
    #expect(task?.finding.details["command"] == "dd")
    #expect(task?.finding.details["wchan"]?.isEmpty == false)
    #expect(task?.finding.path == filesystem.mountPoint)

    filesystem.thaw()
    // The probe thread and the writer finish in either order after the thaw, so run rounds
    // until both have been reported cleared.
    var cleared: [WatchEvent] = []
    _ = eventually {
      cleared += watchdog.runRound()
      return cleared.contains { $0.event == .cleared && $0.finding.kind == .hungFilesystem }
        && cleared.contains { isBlocked($0, pid: writer, event: .cleared) }
    }
    #expect(cleared.contains { $0.event == .cleared && $0.finding.kind == .hungFilesystem })
    #expect(cleared.contains { isBlocked($0, pid: writer, event: .cleared) })
    #expect(watchdog.activeFindings.filter { $0.details["pid"] == "\(writer)" }.isEmpty)
  }

  @Test func overlayWithUpperOnFrozenFilesystem() throws {
    let filesystem = try LoopFilesystem()
    defer { filesystem.teardown() }
    let base = filesystem.directory.path
    let upper = filesystem.mountPoint
    try shell(
      "mkdir '\(base)/lower' '\(base)/merged' '\(upper)/upper' '\(upper)/work' && "
        + "mount -t overlay overlay -o lowerdir='\(base)/lower',upperdir='\(upper)/upper',"
        + "workdir='\(upper)/work' '\(base)/merged' && mkdir '\(base)/merged/probe'")
    let watchdog = testWatchdog(writeProbes: [base + "/merged/probe"])
    _ = watchdog.runRound()

    try filesystem.freeze()
    let events = roundsUntil(watchdog) {
      $0.event == .started && $0.finding.kind == .hungFilesystem
    }
    let stalled = events.first { $0.event == .started && $0.finding.kind == .hungFilesystem }
    #expect(stalled?.finding.id == base + "/merged")
    #expect(stalled?.finding.details["fstype"] == "overlay")
    #expect(stalled?.finding.details["probe"] == "write")

    filesystem.thaw()
    let cleared = roundsUntil(watchdog) {
      $0.event == .cleared && $0.finding.kind == .hungFilesystem
    }
    #expect(cleared.contains { $0.event == .cleared && $0.finding.id == base + "/merged" })
  }
}

private func isBlocked(_ event: WatchEvent, pid: Int32, event kind: WatchEvent.Kind) -> Bool {
  event.event == kind && event.finding.kind == .blockedTask
    && event.finding.details["pid"] == "\(pid)"
}
