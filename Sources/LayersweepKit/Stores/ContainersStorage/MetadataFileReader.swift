import Foundation

/// Reads JSON metadata files and collects an `AuditError` naming the file for each one that
/// is missing when required, unreadable, malformed or names an unsafe id.
struct MetadataFileReader {
  /// The store whose files are read, for the errors.
  var store: String
  private(set) var errors: [AuditError] = []
  /// Whether the last `read` failed, as opposed to finding no optional file.
  private(set) var lastReadFailed = false

  init(store: String) {
    self.store = store
  }

  /// Decodes the file at `path`. Returns nil when it does not exist (an error only when
  /// `isRequired`) or cannot be decoded.
  mutating func read<Value: Decodable>(_ path: String, isRequired: Bool) -> Value? {
    lastReadFailed = false
    let data: Data
    do {
      data = try RegularFile.read(path, limit: Self.maximumFileSize)
    } catch .notFound {
      if isRequired { fail(path, "the file does not exist; restore it, then rerun") }
      return nil
    } catch {
      fail(path, error.message + "; check the file, then rerun")
      return nil
    }
    do {
      return try JSONDecoder().decode(Value.self, from: data)
    } catch {
      fail(
        path,
        "invalid JSON (\(Self.summary(of: error))); the file may be truncated,"
          + " so restore it or let the runtime rewrite it, then rerun")
      return nil
    }
  }

  /// The largest metadata file read.
  /// NOTE: an estimate. `layers.json` of a 10,000-layer store is a few MiB, so 256 MiB
  /// leaves room while bounding memory.
  static let maximumFileSize = 256 << 20

  /// Records an error for the first id in `ids` that is not safe as a path component.
  /// Returns whether every id is valid.
  mutating func validate(_ ids: [String], in path: String) -> Bool {
    guard let bad = ids.first(where: { !StoreIdentifier.isValid($0) }) else { return true }
    fail(path, "invalid id \(String(reflecting: bad)); the file is ignored")
    return false
  }

  private mutating func fail(_ path: String, _ message: String) {
    lastReadFailed = true
    errors.append(AuditError(store: store, path: path, message: message))
  }

  private static func summary(of error: Error) -> String {
    switch error {
    case DecodingError.dataCorrupted(let context):
      return context.debugDescription
    case DecodingError.keyNotFound(let key, _):
      return "missing key '\(key.stringValue)'"
    case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
      let field = context.codingPath.map(\.stringValue).joined(separator: ".")
      return "unexpected value at '\(field)'"
    default:
      return String(describing: error)
    }
  }
}
