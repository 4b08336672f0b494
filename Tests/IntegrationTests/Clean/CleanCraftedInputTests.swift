import Foundation
import Testing

extension DockerIntegrationTests {
  /// `layersweep clean` on a real Docker data root with crafted metadata, symlinks and mounts.
  /// Nothing outside the root may change and no mount may be disturbed.
  @Suite struct CleanCraftedInputTests {
    /// Canary files outside the data root that a crafted id points at.
    struct Canaries {
      var directories: [String]

      init(sandbox: String) throws {
        directories = ["etc", "outside", "outside-dir", "bind-source"].map { "\(sandbox)/\($0)" }
        for directory in directories {
          try FileManager.default.createDirectory(
            atPath: directory, withIntermediateDirectories: true)
          try "canary\n".write(toFile: "\(directory)/canary", atomically: false, encoding: .utf8)
        }
      }

      var intact: Bool {
        directories.allSatisfy {
          (try? String(contentsOfFile: "\($0)/canary", encoding: .utf8)) == "canary\n"
        }
      }
    }

    /// `cache-id` and `mount-id` files of `../../etc`, an absolute path, a 4 KiB id and a NUL: the
    /// audit names each file in an error. Clean quarantines only the crafted chain
    /// directories, which lack `diff` and `size`, and nothing their ids name.
    @Test func craftedIdentifiers() async throws {
      try await DockerDaemon.with { daemon in
        try daemon.prepareImages()
        daemon.stop()
        let canaries = try Canaries(sandbox: daemon.sandbox)
        let orphan = try daemon.makeOrphanedLayer()
        let crafted = [
          "../../etc", "\(daemon.sandbox)/outside", String(repeating: "a", count: 4096), "a\0b",
        ]
        var files: [String] = []
        var chains: [String] = []
        for value in crafted {
          let chain = "\(daemon.layerdb)/sha256/\(DockerDaemon.randomHex(count: 64))"
          try FileManager.default.createDirectory(atPath: chain, withIntermediateDirectories: true)
          try value.write(toFile: "\(chain)/cache-id", atomically: false, encoding: .utf8)
          files.append("\(chain)/cache-id")
          chains.append(chain)
        }
        let mount = "\(daemon.layerdb)/mounts/\(DockerDaemon.randomHex(count: 64))"
        try FileManager.default.createDirectory(atPath: mount, withIntermediateDirectories: true)
        try "../../etc".write(toFile: "\(mount)/mount-id", atomically: false, encoding: .utf8)
        files.append("\(mount)/mount-id")

        let audit = try AuditRun.run(against: daemon)
        let errorPaths = Set(audit.document.errors.map(\.path))
        for file in files { #expect(errorPaths.contains(file), "no error names \(file)") }
        let invocation = CleanInvocation(daemon: daemon)
        let result = try invocation.clean()
        #expect([0, 1].contains(result.status), "\(result.stdout)\(result.stderr)")
        #expect(canaries.intact)
        #expect(HostState.exists(orphan.path), "an unseen reference may protect \(orphan.path)")
        let done = invocation.journal().filter { $0.outcome == "done" }.map(\.item)
        #expect(done.sorted() == chains.sorted())
        #expect(HostState.exists("\(mount)/mount-id"))
        invocation.expectJournalConfined()
      }
    }

    /// A layer directory that is a symlink out of the root, and orphaned layers with a bind
    /// mount and a tmpfs inside. Clean from a fresh audit leaves them alone. Clean from a report
    /// taken before the mounts, with every finding flipped to cleanable, skips each one at
    /// re-verification and names its path.
    @Test func symlinksAndMountsInsideLayers() async throws {
      try await DockerDaemon.with { daemon in
        try daemon.prepareImages()
        let canaries = try Canaries(sandbox: daemon.sandbox)
        let symlinked = "\(daemon.overlayRoot)/\(DockerDaemon.randomHex(count: 64))"
        try FileManager.default.createSymbolicLink(
          atPath: symlinked, withDestinationPath: "\(daemon.sandbox)/outside-dir")
        let bound = try daemon.makeOrphanedLayer()
        let tmpfs = try daemon.makeOrphanedLayer()
        let invocation = CleanInvocation(daemon: daemon)
        let report = try Command.run(AuditRun.arguments(against: daemon), check: false)
        let flipped = try flippedToCleanable(report.stdout)
        let reportPath = "\(daemon.sandbox)/report.json"
        try flipped.write(to: URL(fileURLWithPath: reportPath))

        let bindPoint = "\(bound.path)/diff/etc/nested"
        let tmpfsPoint = "\(tmpfs.path)/diff/etc/nested"
        try Command.run(["/usr/bin/mount", "--bind", "\(daemon.sandbox)/bind-source", bindPoint])
        try Command.run(["/usr/bin/mount", "-t", "tmpfs", "lsw-tmpfs", tmpfsPoint])
        try "in tmpfs\n".write(toFile: "\(tmpfsPoint)/file", atomically: false, encoding: .utf8)

        let fresh = try invocation.clean()
        #expect([0, 1].contains(fresh.status), "\(fresh.stdout)\(fresh.stderr)")
        let stale = try invocation.clean(["--report", reportPath])
        #expect(stale.status == 1, "\(stale.stdout)\(stale.stderr)")
        for path in [bound.path, tmpfs.path, symlinked] {
          #expect(stale.stdout.contains(path), "no skip message names \(path)")
        }
        #expect(canaries.intact)
        #expect(HostState.isMounted(bindPoint))
        #expect(HostState.isMounted(tmpfsPoint))
        #expect(FileManager.default.fileExists(atPath: "\(bindPoint)/canary"))
        #expect(FileManager.default.fileExists(atPath: "\(tmpfsPoint)/file"))
        let target = try? FileManager.default.destinationOfSymbolicLink(atPath: symlinked)
        #expect(target == "\(daemon.sandbox)/outside-dir")
        #expect(invocation.journal().filter { $0.outcome == "done" }.map(\.item) == [])
        invocation.expectJournalConfined()
      }
    }

    /// An orphaned layer with an absolute symlink out of the root, a directory of mode 000
    /// and an immutable file: clean quarantines it, and purge removes all but the immutable
    /// file without following the symlink, then fails naming that file.
    @Test func purgeOfHostileLayer() async throws {
      try await DockerDaemon.with { daemon in
        let canaries = try Canaries(sandbox: daemon.sandbox)
        let orphan = try daemon.makeOrphanedLayer()
        let diff = orphan.path + "/diff"
        try FileManager.default.createSymbolicLink(
          atPath: diff + "/escape", withDestinationPath: "\(daemon.sandbox)/outside")
        try FileManager.default.createDirectory(
          atPath: diff + "/locked/inner", withIntermediateDirectories: true)
        try "x\n".write(toFile: diff + "/locked/inner/file", atomically: false, encoding: .utf8)
        chmod(diff + "/locked", 0)
        try "pinned\n".write(toFile: diff + "/pinned", atomically: false, encoding: .utf8)
        try daemon.makeImmutable(diff + "/pinned")
        try DockerDaemon.age(orphan.path)
        let invocation = CleanInvocation(daemon: daemon)

        let clean = try invocation.clean()
        let purge = try invocation.run("purge", ["--retention", "0s"])

        #expect(clean.status == 0, "\(clean.stdout)\(clean.stderr)")
        #expect(!HostState.exists(orphan.path))
        #expect(purge.status == 1, "\(purge.stdout)\(purge.stderr)")
        #expect(purge.stdout.contains("item/diff/pinned"), "\(purge.stdout)")
        #expect(canaries.intact)
        let trash = "\(daemon.dataRoot)/.layersweep-trash"
        let left = try Command.run(["/usr/bin/find", trash, "-mindepth", "2"]).stdout
        #expect(!left.contains("locked"), "\(left)")
        #expect(!left.contains("escape"), "\(left)")
        invocation.expectJournalConfined()
      }
    }

    /// Returns the `audit --json` document with every finding marked cleanable.
    private func flippedToCleanable(_ json: String) throws -> Data {
      guard
        var document = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any],
        let findings = document["findings"] as? [[String: Any]]
      else {
        throw CommandError(
          command: ["audit", "--json"], message: "printed no JSON report: \(json.prefix(200))")
      }
      document["findings"] = findings.map { finding in
        var changed = finding
        changed["cleanable"] = true
        return changed
      }
      return try JSONSerialization.data(withJSONObject: document)
    }
  }
}
