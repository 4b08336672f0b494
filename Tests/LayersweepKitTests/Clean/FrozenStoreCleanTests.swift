import Foundation
import Testing

@testable import LayersweepKit

/// Clean on a Docker root whose filesystem is frozen with fsfreeze: it must skip the items
/// there and finish instead of hanging. Needs root and loop devices.
@Suite(.serialized) struct FrozenStoreCleanTests {
  @Test func frozenStoreIsSkipped() throws {
    let fixture = try CleanFixture()
    let image = fixture.directory + "/ext4.img"
    try FileManager.default.createDirectory(
      atPath: fixture.dockerRoot, withIntermediateDirectories: true)
    _ = try CleanFixture.shell(
      "truncate -s 64M '\(image)' && mkfs.ext4 -q -F '\(image)' "
        + "&& mount -o loop '\(image)' '\(fixture.dockerRoot)'")
    let orphan = String(repeating: "e5", count: 32)
    try fixture.makeLayer(orphan, shortID: "EEEEEEEEEEEEEEEEEEEEEEEEEE")
    try FileManager.default.createDirectory(
      atPath: fixture.dockerRoot + "/image/overlay2/layerdb/sha256",
      withIntermediateDirectories: true)

    _ = try CleanFixture.shell("fsfreeze -f '\(fixture.dockerRoot)'")
    defer {
      _ = try? CleanFixture.shell("fsfreeze -u '\(fixture.dockerRoot)'")
      // The probe child finishes its write after the thaw and keeps the mount busy until
      // then, so the unmount is retried before the fixture removes the directory.
      for _ in 0..<100 where umount2(fixture.dockerRoot, 0) != 0 {
        usleep(100_000)
      }
    }
    let run = try ProcessRun.run(
      ProcessRun.layersweepPath,
      CleanCommandTests.arguments(fixture, "clean", ["--yes", "--min-age", "0s"])
        + Self.emptyRoots(fixture))

    #expect(run.status == 1, "\(run.stdout)\(run.stderr)")
    #expect(run.stdout.contains("did not complete a write within 10 s"))
    #expect(fixture.listing(fixture.dockerRoot + "/overlay2").contains(orphan))
  }

  /// Path flags that point every other store at missing directories.
  static func emptyRoots(_ fixture: CleanFixture) -> [String] {
    let missing = fixture.directory + "/missing"
    return [
      "--docker-exec-root", missing, "--docker-socket", missing + "/docker.sock",
      "--containers-graphroot", missing, "--containers-runroot", missing, "--containerd-root",
      missing, "--kubelet-root", missing,
    ]
  }
}
