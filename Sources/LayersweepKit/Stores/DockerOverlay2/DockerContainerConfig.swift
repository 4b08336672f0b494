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

  /// `State.StartedAt`, or nil for Go's zero time `0001-01-01T00:00:00Z`.
  var startedAt: Date? {
    guard let text = state?.startedAt, !text.hasPrefix("0001-") else { return nil }
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    if let date = formatter.date(from: Self.trimmedFraction(text)) { return date }
    formatter.formatOptions = [.withInternetDateTime]
    return formatter.date(from: text)
  }

  /// Cuts Go's nanosecond fractions to milliseconds, which `ISO8601DateFormatter` parses.
  private static func trimmedFraction(_ text: String) -> String {
    guard let dot = text.firstIndex(of: "."),
      let zone = text[dot...].firstIndex(where: { $0 == "Z" || $0 == "+" || $0 == "-" })
    else { return text }
    let fraction = text[text.index(after: dot)..<zone].prefix(3)
    return String(text[..<dot]) + "." + fraction + String(text[zone...])
  }
}
