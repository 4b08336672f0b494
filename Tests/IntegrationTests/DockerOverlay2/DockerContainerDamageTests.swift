import Testing

extension DockerIntegrationTests {
  /// Container, mount, process and cgroup damage made for real on a private dockerd. Each
  /// test gets its own daemon because each asserts the complete list of findings and some
  /// kill the daemon.
  @Suite
  struct DockerContainerDamageTests {
    @Test func containerDeadAfterFailedRemoval() async throws {
      try await AuditExpectations.checkRecipe { try $0.leaveDeadContainer() }
    }

    @Test func shmHeldInPrivateNamespace() async throws {
      try await AuditExpectations.checkRecipe { try $0.holdShmMountInPrivateNamespace() }
    }

    @Test func zombieUnderNonReapingInit() async throws {
      try await AuditExpectations.checkRecipe { try $0.leaveZombieUnderInit() }
    }

    @Test func initKilledWhileDaemonDown() async throws {
      try await AuditExpectations.checkRecipe { try $0.killContainerWhileDaemonDown() }
    }

    @Test func cgroupsLeftAfterShimDied() async throws {
      try await AuditExpectations.checkRecipe { try $0.leaveCgroupsAfterShimDied() }
    }
  }
}
