import Testing

extension DockerIntegrationTests {
  /// A busy but healthy Docker host: the audit must report nothing.
  @Suite struct DockerCleanHostTests {
    @Test func busyHostHasNoFindings() async throws {
      try await DockerDaemon.with { daemon in
        try daemon.prepareImages()
        let running = try daemon.docker(
          "run", "--detach", "--ipc", "shareable", "--network", "none", TestImage.multiLayer)
        try daemon.docker("run", "--name", "stopped", TestImage.multiLayer, "true")
        let paused = try daemon.docker("run", "--detach", TestImage.multiLayer)
        try daemon.docker("pause", paused)
        try daemon.docker("create", "--name", "created", TestImage.busybox, "true")
        try daemon.docker("commit", running, "lsw/committed:1")
        try daemon.docker("volume", "create", "lsw-data")
        try daemon.docker(
          "run", "--detach", "--volume", "lsw-data:/data", "lsw/committed:1", "sleep", "3600")

        let states = try daemon.docker("ps", "--all", "--format", "{{.State}}")
        #expect(
          states.split(separator: "\n").sorted() == [
            "created", "exited", "paused", "running", "running",
          ])
        try AuditExpectations.expectFindings([], on: daemon)
      }
    }
  }
}
