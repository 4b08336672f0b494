import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// One line of the journal: one action on one item, or its outcome.
public struct JournalEntry: Codable, Equatable, Sendable {
  public var time: Date
  /// The host path acted on, or the mount point or cgroup path.
  public var item: String
  public var kind: String
  public var store: String
  /// The finding's object id.
  public var id: String
  public var bytes: Int64?
  /// The action taken: `quarantine`, `restore`, `purge`, `unmount`, `release-mount`,
  /// `remove-cgroup` or `recover`.
  public var action: String
  /// `intent` before the change, then `done`, `skipped` or `failed`.
  public var outcome: String
  public var error: String?
  /// The quarantine id, for quarantine, restore and purge.
  public var quarantineID: String?

  public init(
    time: Date = Date(), item: String, kind: String, store: String, id: String,
    bytes: Int64? = nil, action: String, outcome: String, error: String? = nil,
    quarantineID: String? = nil
  ) {
    self.time = time
    self.item = item
    self.kind = kind
    self.store = store
    self.id = id
    self.bytes = bytes
    self.action = action
    self.outcome = outcome
    self.error = error
    self.quarantineID = quarantineID
  }

  enum CodingKeys: String, CodingKey {
    case time, item, kind, store, id, bytes, action, outcome, error
    case quarantineID = "quarantine_id"
  }
}

/// An append-only JSON lines file of every action clean, restore and purge take. Each line is
/// written with one `write` on an `O_APPEND` descriptor and fsync'd before the call returns,
/// so the intent line of a change is on disk before the change starts.
public final class Journal: @unchecked Sendable {
  /// The default journal location.
  public static let defaultPath = "/var/lib/layersweep/journal.jsonl"

  public let path: String
  private let fd: Int32?
  private let encoder: JSONEncoder

  /// Opens `path` for appending, creating it and its directory (mode 0700) when missing.
  /// A nil `path` gives a journal that records nothing, for dry runs.
  public init(path: String?) throws {
    self.path = path ?? ""
    encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    encoder.dateEncodingStrategy = .custom { date, encoder in
      var container = encoder.singleValueContainer()
      try container.encode(Journal.timestamp(date))
    }
    guard let path else {
      fd = nil
      return
    }
    let directory = (path as NSString).deletingLastPathComponent
    try FileManager.default.createDirectory(
      atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o600)
    guard descriptor >= 0 else { throw SystemCallError.last("open", path) }
    fd = descriptor
  }

  deinit {
    if let fd { close(fd) }
  }

  /// Appends `entry` as one line and fsyncs the file.
  public func append(_ entry: JournalEntry) throws {
    guard let fd else { return }
    var line = Array(try encoder.encode(entry))
    line.append(0x0A)
    try FileWriting.writeAll(line, to: fd, path: path)
    guard fsync(fd) == 0 else { throw SystemCallError.last("fsync", path) }
  }

  /// Reads every entry of the journal at `path`; unparsable lines are reported, not skipped.
  public static func read(_ path: String) throws -> [JournalEntry] {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw CleanError.unreadableFile(path: path, reason: "the file is missing or unreadable")
    }
    let decoder = JSONDecoder()
    decoder.dateDecodingStrategy = .iso8601
    return try data.split(separator: 0x0A).enumerated().map { index, line in
      do {
        return try decoder.decode(JournalEntry.self, from: Data(line))
      } catch {
        throw CleanError.unreadableFile(path: path, reason: "line \(index + 1) is not valid JSON")
      }
    }
  }

  /// Formats a time as RFC 3339 in UTC with second precision, such as `2026-01-02T03:04:05Z`.
  static func timestamp(_ date: Date) -> String {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime]
    return formatter.string(from: date)
  }
}
