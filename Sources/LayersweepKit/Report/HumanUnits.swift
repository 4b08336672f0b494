/// Formats sizes and durations for people.
public enum HumanUnits {
  /// `bytes` in IEC units with one decimal above 1 KiB: `512 B`, `1.5 KiB`, `3.0 GiB`.
  public static func bytes(_ bytes: Int64) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
    guard bytes >= 1024 else { return "\(bytes) B" }
    var value = Double(bytes)
    var unit = 0
    while value >= 1024 && unit < units.count - 1 {
      value /= 1024
      unit += 1
    }
    let tenths = Int64((value * 10).rounded())
    return "\(tenths / 10).\(tenths % 10) \(units[unit])"
  }

  /// `seconds` in the largest whole unit: `45s`, `12m`, `5h`, `3d`.
  public static func age(_ seconds: Int64) -> String {
    switch max(seconds, 0) {
    case ..<60: "\(max(seconds, 0))s"
    case ..<3600: "\(seconds / 60)m"
    case ..<86400: "\(seconds / 3600)h"
    default: "\(seconds / 86400)d"
    }
  }
}
