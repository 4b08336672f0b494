import Foundation

/// A problem met while reading the host, such as an unreadable or malformed file. The audit
/// goes on, but nothing whose safety depends on the unreadable data is marked cleanable.
public struct AuditError: Codable, Sendable, Equatable, Error, CustomStringConvertible {
  /// The store or subsystem being read.
  public var store: String
  /// The file or directory that could not be read or parsed.
  public var path: String
  public var message: String

  public init(store: String, path: String, message: String) {
    self.store = store
    self.path = path
    self.message = message
  }

  public var description: String { "\(path): \(message)" }
}

/// What one store adapter saw: whether the store exists and whether its runtime runs.
public struct StoreStatus: Codable, Sendable, Equatable {
  /// The store's name, such as `docker-overlay2`.
  public var name: String
  public var root: String
  /// Whether the store's root exists on this host.
  public var isPresent: Bool
  /// Whether the runtime's API answered, when it was asked; nil when not asked.
  public var isRuntimeResponding: Bool?

  public init(name: String, root: String, isPresent: Bool, isRuntimeResponding: Bool? = nil) {
    self.name = name
    self.root = root
    self.isPresent = isPresent
    self.isRuntimeResponding = isRuntimeResponding
  }

  enum CodingKeys: String, CodingKey {
    case name, root
    case isPresent = "present"
    case isRuntimeResponding = "runtime_responding"
  }
}

/// The result of one audit: what was looked at, what was found and what could not be read.
public struct AuditReport: Codable, Sendable {
  /// Version of the JSON document layout described in `docs/report-schema.json`.
  public static let currentSchemaVersion = 1

  public var schemaVersion: Int
  public var generatedAt: Date
  public var hostname: String
  public var stores: [StoreStatus]
  public var findings: [Finding]
  public var errors: [AuditError]

  public init(
    generatedAt: Date = Date(), hostname: String, stores: [StoreStatus],
    findings: [Finding], errors: [AuditError]
  ) {
    self.schemaVersion = Self.currentSchemaVersion
    self.generatedAt = generatedAt
    self.hostname = hostname
    self.stores = stores
    self.findings = Finding.sortedForOutput(findings)
    self.errors = errors
  }

  enum CodingKeys: String, CodingKey {
    case schemaVersion = "schema_version"
    case generatedAt = "generated_at"
    case hostname, stores, findings, errors
  }

  /// The exit status this report maps to: 2 when something could not be read, else 1 when
  /// anything was found, else 0.
  public var exitStatus: ExitStatus {
    if !errors.isEmpty { return .failed }
    return findings.isEmpty ? .healthy : .findings
  }
}
