import Foundation

/// One change the watchdog reports: a finding that started, is still present or cleared.
/// Written as one JSON line on standard output with `--json`.
public struct WatchEvent: Codable, Sendable, Equatable {
  public enum Kind: String, Codable, Sendable {
    /// A new finding: a stall, a blocked task, an unresponsive runtime or a kernel report.
    case started
    /// A finding still present in a later round, with its elapsed time updated.
    case ongoing
    /// A finding that went away: the probe returned, the task woke, the runtime responded.
    case cleared
  }

  public var event: Kind
  public var time: Date
  public var finding: Finding
  /// For `cleared` stalls: seconds from the stuck probe's start to its return.
  public var stallSeconds: Double?

  public init(event: Kind, time: Date, finding: Finding, stallSeconds: Double? = nil) {
    self.event = event
    self.time = time
    self.finding = finding
    self.stallSeconds = stallSeconds
  }

  enum CodingKeys: String, CodingKey {
    case event, time, finding
    case stallSeconds = "stall_seconds"
  }

  /// The event as one line of JSON with sorted keys and an ISO 8601 time.
  public func jsonLine() -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    encoder.dateEncodingStrategy = .iso8601
    guard let data = try? encoder.encode(self) else { return "{}\n" }
    return String(decoding: data, as: UTF8.self) + "\n"
  }
}
