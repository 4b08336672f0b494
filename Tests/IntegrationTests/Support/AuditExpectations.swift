import Foundation
import Testing

/// Assertions shared by the Docker integration suites.
enum AuditExpectations {
  /// Whether to stop after the recipe checks, for verifying recipes on a build whose audit
  /// does not exist yet: set `LAYERSWEEP_RECIPES_ONLY=1`.
  static var recipesOnly: Bool {
    ProcessInfo.processInfo.environment["LAYERSWEEP_RECIPES_ONLY"] == "1"
  }

  /// Expects every fact the recipe promised, then requires all of them so a broken recipe
  /// stops the test before the audit runs.
  static func expectState(_ damage: DamageCase, sourceLocation: SourceLocation = #_sourceLocation)
    throws
  {
    for check in damage.checks {
      #expect(check.isSatisfied, "recipe state: \(check.fact)", sourceLocation: sourceLocation)
    }
    try #require(damage.failedChecks.isEmpty, sourceLocation: sourceLocation)
  }

  /// Runs the audit against `daemon` and expects exactly `expected` (kind, store, id and,
  /// where given, path), no read errors, exit status 1 (0 when nothing is expected), and a
  /// `docker-overlay2` store whose runtime responds exactly when dockerd runs.
  static func expectFindings(
    _ expected: [FindingKey], on daemon: DockerDaemon,
    sourceLocation: SourceLocation = #_sourceLocation
  ) throws {
    if recipesOnly { return }
    let run = try AuditRun.run(against: daemon)
    #expect(run.document.schemaVersion == 1, sourceLocation: sourceLocation)
    let docker = run.document.stores.first { $0.name == "docker-overlay2" }
    #expect(docker?.root == daemon.dataRoot, sourceLocation: sourceLocation)
    #expect(docker?.present == true, sourceLocation: sourceLocation)
    #expect(
      docker?.runtimeResponding == (daemon.pid != nil), sourceLocation: sourceLocation)
    #expect(
      run.document.keys(comparedWith: expected) == expected.sorted(),
      sourceLocation: sourceLocation)
    #expect(
      run.document.errors.map { "\($0.path): \($0.message)" } == [],
      sourceLocation: sourceLocation)
    #expect(run.status == (expected.isEmpty ? 0 : 1), sourceLocation: sourceLocation)
  }

  /// Starts a daemon with the test images, applies `recipe`, checks the state it promises,
  /// then the audit's findings. The daemon is torn down afterwards in every case.
  static func checkRecipe(
    sourceLocation: SourceLocation = #_sourceLocation,
    _ recipe: (DockerDaemon) throws -> DamageCase
  ) async throws {
    try await DockerDaemon.with { daemon in
      try daemon.prepareImages()
      let damage = try recipe(daemon)
      try expectState(damage, sourceLocation: sourceLocation)
      try expectFindings(damage.expected, on: daemon, sourceLocation: sourceLocation)
    }
  }
}
