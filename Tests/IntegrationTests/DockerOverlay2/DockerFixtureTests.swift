import Foundation
import Testing

extension DockerIntegrationTests {
  /// Checks of the test daemon itself: it starts, builds images, runs containers, and its
  /// teardown leaves no process, mount, cgroup or file behind.
  @Suite struct DockerFixtureTests {
    @Test func fixtureStartsAndTearsDown() throws {
      let daemon = try DockerDaemon()
      defer { daemon.tearDown() }
      try daemon.start()
      try daemon.prepareImages()
      let containerID = try daemon.docker(
        "run", "--detach", "--ipc", "shareable", TestImage.multiLayer)
      let layers = try daemon.docker(
        "image", "inspect", "--format", "{{len .RootFS.Layers}}", TestImage.multiLayer)
      #expect(layers == "4")
      #expect(try daemon.isRunning(containerID))
      #expect(!daemon.cgroupDirectories(ofContainer: containerID).isEmpty)

      daemon.tearDown()
      #expect(SandboxCleanup.processes(mentioning: daemon.sandbox) == [])
      #expect(SandboxCleanup.mountPoints(under: daemon.sandbox) == [])
      #expect(SandboxCleanup.cgroupDirectories(relative: daemon.cgroupParent) == [])
      #expect(!FileManager.default.fileExists(atPath: daemon.sandbox))
    }

    @Test func teardownAfterCrash() throws {
      let daemon = try DockerDaemon()
      defer { daemon.tearDown() }
      try daemon.start()
      try daemon.prepareImages()
      let containerID = try daemon.docker("run", "--detach", TestImage.multiLayer)
      try daemon.makeImmutable(
        "\(daemon.overlayRoot)/\(try daemon.mountID(ofContainer: containerID))/diff")
      daemon.crash()
      #expect(daemon.pid == nil)
      let sockets = daemon.shimSocketPaths()
      #expect(sockets.count == 1)
      #expect(sockets.allSatisfy { HostState.exists($0) })

      daemon.tearDown()
      #expect(SandboxCleanup.processes(mentioning: daemon.sandbox) == [])
      #expect(SandboxCleanup.mountPoints(under: daemon.sandbox) == [])
      #expect(SandboxCleanup.cgroupDirectories(relative: daemon.cgroupParent) == [])
      #expect(!FileManager.default.fileExists(atPath: daemon.sandbox))
      #expect(sockets.filter { HostState.exists($0) } == [])
    }
  }
}
