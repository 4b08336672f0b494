import Foundation

/// Asks the Docker API, with a deadline, which containers it tracks.
struct DockerAPICrossCheck {
  let client: UnixHTTPClient
  let timeout: TimeInterval

  private struct ListedContainer: Decodable {
    let id: String
    let state: String?

    enum CodingKeys: String, CodingKey {
      case id = "Id"
      case state = "State"
    }
  }

  /// Returns container states by id, or nil when the API does not answer `/_ping` and
  /// `/containers/json?all=1` with valid responses before the deadline.
  func containerStates() -> [String: String]? {
    let started = Date()
    guard let ping = try? client.get("/_ping", timeout: timeout), ping.statusCode == 200 else {
      return nil
    }
    let remaining = timeout - Date().timeIntervalSince(started)
    guard remaining > 0,
      let list = try? client.get("/containers/json?all=1", timeout: remaining),
      list.statusCode == 200,
      let containers = try? JSONDecoder().decode([ListedContainer].self, from: Data(list.body))
    else { return nil }
    var states: [String: String] = [:]
    for container in containers { states[container.id] = container.state ?? "unknown" }
    return states
  }
}
