@testable import LayersweepKit

/// The kind, id and path of a finding, the triple tests compare exactly.
struct FindingTriple: Hashable, CustomStringConvertible {
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
  static func of(_ findings: [Finding]) -> [FindingTriple] {
    findings.map { FindingTriple($0.kind, $0.id, $0.path) }.sorted {
      $0.description < $1.description
    }
  }

  static func sorted(_ keys: [FindingTriple]) -> [FindingTriple] {
    keys.sorted { $0.description < $1.description }
  }
}
