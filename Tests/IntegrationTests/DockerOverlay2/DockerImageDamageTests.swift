import Testing

extension DockerIntegrationTests {
  /// Image-store damage made for real on a private dockerd. Each test gets its own daemon
  /// because each asserts the complete list of findings.
  @Suite
  struct DockerImageDamageTests {
    @Test func importKilledBeforeCommit() async throws {
      try await AuditExpectations.checkRecipe { try $0.interruptImport() }
    }

    @Test func importOrphanSurvivesRestart() async throws {
      try await DockerDaemon.with { daemon in
        try daemon.prepareImages()
        let damage = try daemon.interruptImport()
        try AuditExpectations.expectState(damage)
        try daemon.start()
        let orphan = try #require(damage.expected.first { $0.kind == "orphaned-layer" })
        let writeSets = damage.expected.filter {
          $0.kind == "stale-removal" && HostState.exists($0.path ?? "")
        }
        #expect(HostState.exists(orphan.path ?? ""))
        try AuditExpectations.expectFindings([orphan] + writeSets, on: daemon)
      }
    }

    @Test func imageRemovalFailsOnImmutableFile() async throws {
      try await AuditExpectations.checkRecipe { try $0.failImageRemoval() }
    }

    @Test func layerDirectoryDeleted() async throws {
      try await AuditExpectations.checkRecipe { try $0.deleteLayerDirectory() }
    }

    @Test func layerLinkDeleted() async throws {
      try await AuditExpectations.checkRecipe { try $0.deleteLayerLink() }
    }
  }
}
