@testable import LayersweepKit

/// The kind, id and path of a finding, the triple tests compare exactly.
struct FindingKey: Hashable, CustomStringConvertible {
  var kind: FindingKind
  var id: String
  var path: String?

  init(_ kind: FindingKind, _ id: String, _ path: String?) {
    self.kind = kind
    self.id = id
    self.path = path
  }

  var description: String { "\(kind.rawValue) \(id) \(path ?? "-")" }

  /// The keys of `findings`, sorted for comparison.
  static func of(_ findings: [Finding]) -> [FindingKey] {
    findings.map { FindingKey($0.kind, $0.id, $0.path) }.sorted { $0.description < $1.description }
  }

  static func sorted(_ keys: [FindingKey]) -> [FindingKey] {
    keys.sorted { $0.description < $1.description }
  }
}
