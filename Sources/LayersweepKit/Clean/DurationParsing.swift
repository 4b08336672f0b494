/// Parses durations such as `90s`, `30m`, `1h`, `7d` or `2w` into seconds, for `--min-age`
/// and `--retention`. A bare number is seconds.
public enum DurationParsing {
  private static let unitSeconds: [Character: Int64] = [
    "s": 1, "m": 60, "h": 3_600, "d": 86_400, "w": 604_800,
  ]

  /// Returns the duration in seconds, or throws a `UsageError` naming `option`.
  public static func seconds(_ text: String, option: String) throws -> Int64 {
    var digits = Substring(text)
    var multiplier: Int64 = 1
    if let last = text.last, let unit = unitSeconds[last] {
      digits = digits.dropLast()
      multiplier = unit
    }
    guard let value = Int64(digits), value >= 0 else {
      throw UsageError(
        "invalid duration '\(text)' for '--\(option)'; use a number with s, m, h, d or w")
    }
    let (product, overflow) = value.multipliedReportingOverflow(by: multiplier)
    guard !overflow else { throw UsageError("duration '\(text)' for '--\(option)' is too large") }
    return product
  }
}
