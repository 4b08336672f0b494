import Foundation
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
        #expect(HostState.exists(orphan.path ?? ""))
        // The interrupted transaction's write-set stays after the restart.
        let tmp = daemon.layerdb + "/tmp"
        let writeSets = (try? FileManager.default.contentsOfDirectory(atPath: tmp)) ?? []
        let staleRemovals = writeSets.filter { $0.hasPrefix("write-set-") }.map {
          FindingKey(.staleRemoval, id: $0, path: "\(tmp)/\($0)")
        }
        try AuditExpectations.expectFindings([orphan] + staleRemovals, on: daemon)
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
