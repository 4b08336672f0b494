import Foundation

/// The fields of `containers/<id>/config.v2.json` that the audit uses.
struct DockerContainerConfig: Decodable {
  struct State: Decodable {
    var running: Bool?
    var paused: Bool?
    var restarting: Bool?
    var dead: Bool?
    /// Persisted by Docker 20.10; later versions no longer write it.
    var removalInProgress: Bool?
    var pid: Int?
    var startedAt: String?

    enum CodingKeys: String, CodingKey {
      case running = "Running"
      case paused = "Paused"
      case restarting = "Restarting"
      case dead = "Dead"
      case removalInProgress = "RemovalInProgress"
      case pid = "Pid"
      case startedAt = "StartedAt"
    }
  }

  struct NetworkSettings: Decodable {
    var sandboxKey: String?

    enum CodingKeys: String, CodingKey { case sandboxKey = "SandboxKey" }
  }

  var id: String
  var name: String?
  var driver: String?
  var image: String?
  var state: State?
  var shmPath: String?
  var networkSettings: NetworkSettings?

  enum CodingKeys: String, CodingKey {
    case id = "ID"
    case name = "Name"
    case driver = "Driver"
    case image = "Image"
    case state = "State"
    case shmPath = "ShmPath"
    case networkSettings = "NetworkSettings"
  }

  /// The state Docker records, reduced to the shared states. Docker sets `Running` together
  /// with `Paused` or `Restarting`, and a zero `StartedAt` means the container never ran.
  var recordedState: RecordedState {
    guard let state else { return .unknown }
    if state.dead == true { return .dead }
    if state.running == true {
      if state.paused == true { return .paused }
      return state.restarting == true ? .restarting : .running
    }
    return startedAt == nil ? .created : .exited
  }

  /// `State.StartedAt`, or nil for Go's zero time `0001-01-01T00:00:00Z` or an invalid value.
  var startedAt: Date? {
    guard let text = state?.startedAt, !text.hasPrefix("0001-") else { return nil }
    return Self.parseTimestamp(text)
  }

  /// Parses RFC 3339 as Go writes it (`2026-12-04T15:42:28.022680025Z`, or with a `+hh:mm`
  /// offset), keeping nanosecond fractions. Done by hand because creating an
  /// `ISO8601DateFormatter` per container was the largest cost of reading 2,000 containers.
  static func parseTimestamp(_ text: String) -> Date? {
    let bytes = Array(text.utf8)
    guard bytes.count >= 20, bytes[4] == 0x2D, bytes[7] == 0x2D, bytes[10] == 0x54,
      bytes[13] == 0x3A, bytes[16] == 0x3A
    else { return nil }
    func number(_ range: Range<Int>) -> Int? {
      var value = 0
      for byte in bytes[range] {
        guard (0x30...0x39).contains(byte) else { return nil }
        value = value * 10 + Int(byte - 0x30)
      }
      return value
    }
    guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
      let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19)
    else { return nil }
    var index = 19
    var fraction = 0.0
    if bytes[index] == 0x2E {
      var scale = 0.1
      index += 1
      while index < bytes.count, (0x30...0x39).contains(bytes[index]) {
        fraction += Double(bytes[index] - 0x30) * scale
        scale /= 10
        index += 1
      }
    }
    guard let offset = zoneOffset(bytes[index...]) else { return nil }
    var components = DateComponents()
    (components.year, components.month, components.day) = (year, month, day)
    (components.hour, components.minute, components.second) = (hour, minute, second)
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(secondsFromGMT: 0) ?? calendar.timeZone
    guard let base = calendar.date(from: components) else { return nil }
    return base.addingTimeInterval(fraction - Double(offset))
  }

  /// Seconds east of UTC for `Z`, `+hh:mm` or `-hh:mm`.
  private static func zoneOffset(_ zone: ArraySlice<UInt8>) -> Int? {
    let zone = Array(zone)
    if zone == [0x5A] { return 0 }
    guard zone.count == 6, zone[0] == 0x2B || zone[0] == 0x2D, zone[3] == 0x3A,
      let hours = Int(String(decoding: zone[1..<3], as: UTF8.self)),
      let minutes = Int(String(decoding: zone[4..<6], as: UTF8.self))
    else { return nil }
    let seconds = hours * 3600 + minutes * 60
    return zone[0] == 0x2D ? -seconds : seconds
  }
}
