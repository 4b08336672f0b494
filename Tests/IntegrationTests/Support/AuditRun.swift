import Foundation
import LayersweepKit

/// The identity of one finding as the tests compare it: kind, store, id and path. A nil
/// `path` in an expectation means the path is not compared.
struct FindingKey: Hashable, Comparable, CustomStringConvertible {
  var kind: String
  var store: String
  var id: String
  var path: String?

  init(_ kind: FindingKind, store: String = "docker-overlay2", id: String, path: String?) {
    self.kind = kind.rawValue
    self.store = store
    self.id = id
    self.path = path
  }

  init(kind: String, store: String, id: String, path: String?) {
    self.kind = kind
    self.store = store
    self.id = id
    self.path = path
  }

  static func < (lhs: FindingKey, rhs: FindingKey) -> Bool {
    lhs.description < rhs.description
  }

  var description: String { "\(kind) \(store) \(id) \(path ?? "-")" }

  /// This key with its path dropped, to compare against an expectation without a path.
  var withoutPath: FindingKey { FindingKey(kind: kind, store: store, id: id, path: nil) }
}

/// The parts of `layersweep audit --json` output the integration tests read. Decoding is
/// independent of the library's types so a schema drift shows as a decoding failure.
struct AuditDocument: Decodable {
  struct Entry: Decodable {
    var kind: String
    var store: String
    var id: String
    var path: String?
    var evidence: [String]
    var cleanable: Bool
    var details: [String: String]?
  }

  struct ReadError: Decodable {
    var store: String
    var path: String
    var message: String
  }

  struct Store: Decodable {
    var name: String
    var root: String
    var present: Bool
    var runtimeResponding: Bool?

    enum CodingKeys: String, CodingKey {
      case name, root, present
      case runtimeResponding = "runtime_responding"
    }
  }

  var schemaVersion: Int
  var stores: [Store]
  var findings: [Entry]
  var errors: [ReadError]

  enum CodingKeys: String, CodingKey {
    case schemaVersion = "schema_version"
    case stores, findings, errors
  }

  /// Returns the findings as keys, with the path dropped wherever `expected` leaves it out, sorted.
  func keys(comparedWith expected: [FindingKey]) -> [FindingKey] {
    let pathless = Set(expected.filter { $0.path == nil })
    // Dying cgroups are host-wide kernel state that the tests neither create nor control.
    return findings.filter { $0.kind != FindingKind.dyingCgroups.rawValue }.map { entry in
      let key = FindingKey(kind: entry.kind, store: entry.store, id: entry.id, path: entry.path)
      return pathless.contains(key.withoutPath) ? key.withoutPath : key
    }.sorted()
  }
}

/// One run of the built `layersweep audit --json` against a test daemon's paths.
struct AuditRun {
  var status: Int32
  var document: AuditDocument
  var stderr: String

  /// Runs the binary with every path flag pointing at `daemon`'s sandbox and decodes the
  /// report; throws when the output is not a report.
  static func run(against daemon: DockerDaemon) throws -> AuditRun {
    let arguments = arguments(against: daemon)
    let result = try Command.run(arguments, timeout: 120, check: false)
    do {
      let document = try JSONDecoder().decode(AuditDocument.self, from: Data(result.stdout.utf8))
      return AuditRun(status: result.status, document: document, stderr: result.stderr)
    } catch {
      throw CommandError(
        command: arguments,
        message: "exit status \(result.status), no JSON report (\(error)): \(result.stderr)")
    }
  }

  /// The `audit --json` command line with every path flag pointing at `daemon`'s sandbox.
  static func arguments(against daemon: DockerDaemon) -> [String] {
    [
      binaryPath, "audit", "--json",
      "--docker-root", daemon.dataRoot, "--docker-exec-root", daemon.execRoot,
      "--docker-socket", daemon.socketPath, "--docker-cgroup-parent", "/\(daemon.cgroupParent)",
      "--proc", "/proc", "--cgroup-root", "/sys/fs/cgroup",
    ]
  }

  /// The `layersweep` executable: `LAYERSWEEP_BINARY` when set, else the debug build.
  static var binaryPath: String {
    if let path = ProcessInfo.processInfo.environment["LAYERSWEEP_BINARY"] { return path }
    return BusyboxRootfs.packageRoot + "/.build/debug/layersweep"
  }
}
