import Foundation

/// Parses the RFC 3339 timestamps Go's `time.Time` writes into JSON, such as
/// `2026-12-04T15:42:23.494580652Z` or `...+01:00`, which carry up to nine fractional
/// digits that `ISO8601DateFormatter` does not accept.
enum GoTimestamp {
  /// Returns the date, or nil for a malformed string. Go's zero time
  /// (`0001-01-01T00:00:00Z`) parses to a date in year 1, which callers treat as unknown.
  static func parse(_ text: String) -> Date? {
    var whole = text
    var fraction = 0.0
    if let dot = text.firstIndex(of: ".") {
      let digits = text[text.index(after: dot)...].prefix(while: \.isNumber)
      guard !digits.isEmpty, let value = Double("0." + digits) else { return nil }
      fraction = value
      whole = String(text[..<dot]) + String(text[dot...].dropFirst(1 + digits.count))
    }
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime]
    return formatter.date(from: whole).map { $0.addingTimeInterval(fraction) }
  }

  /// Whether `date` is Go's zero time or earlier than the Unix epoch, which containers/storage
  /// treats as "created at an unknown time".
  static func isZero(_ date: Date) -> Bool {
    date.timeIntervalSince1970 <= 0
  }
}
