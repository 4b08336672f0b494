import Foundation
import Testing

@testable import LayersweepKit

@Suite struct StallTrackerTests {
  @Test func stallStartsContinuesAndClears() {
    var tracker = StallTracker()
    let running = ProbeSlot.Running(startedAt: 100, phase: "write")

    #expect(tracker.update(running: running, completion: nil, now: 101, timeout: 2) == .none)
    #expect(
      tracker.update(running: running, completion: nil, now: 102, timeout: 2) == .started(running))
    #expect(
      tracker.update(running: running, completion: nil, now: 150, timeout: 2) == .ongoing(running))

    let completion = ProbeSlot.Completion(startedAt: 100, finishedAt: 160, failure: nil)
    let cleared = tracker.update(running: nil, completion: completion, now: 170, timeout: 2)
    #expect(cleared == .cleared(stallSeconds: 60, failure: nil))
    #expect(tracker.stallStartedAt == nil)
  }

  @Test func quickProbeNeverStalls() {
    var tracker = StallTracker()
    let completion = ProbeSlot.Completion(startedAt: 100, finishedAt: 100.1, failure: nil)
    #expect(tracker.update(running: nil, completion: completion, now: 130, timeout: 2) == .none)
  }
}

@Suite struct ProbeSlotTests {
  @Test func secondProbeWaitsForStuckOne() throws {
    let slot = ProbeSlot()
    let release = DispatchSemaphore(value: 0)
    let started = try slot.start { slot in
      slot.enter("stuck")
      release.wait()
      return nil
    }
    #expect(started)
    #expect(try slot.start { _ in nil } == false)
    #expect(slot.current?.phase == "stuck" || slot.current?.phase == "start")

    release.signal()
    try waitUntil { slot.current == nil }
    #expect(slot.lastCompletion?.failure == nil)
    #expect(try slot.start { _ in nil })
  }

  @Test func failureIsRecorded() throws {
    let slot = ProbeSlot()
    _ = try slot.start { _ in FilesystemProbe.statRoot("/nonexistent/layersweep-test") }
    try waitUntil { slot.lastCompletion != nil }
    #expect(slot.lastCompletion?.failure?.operation == "stat")
    #expect(slot.lastCompletion?.failure?.errno == ENOENT)
  }
}

/// Polls `condition` every 10 ms for up to 10 s, then fails.
func waitUntil(_ condition: () -> Bool) throws {
  for _ in 0..<1000 {
    if condition() { return }
    usleep(10_000)
  }
  Issue.record("condition not met within 10 s")
  throw CancellationError()
}
