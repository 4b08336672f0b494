import Foundation

/// A snapshot record of containerd's overlayfs snapshotter, from
/// `io.containerd.snapshotter.v1.overlayfs/metadata.db` bucket `v1/snapshots/<name>`
/// (containerd 1.6 `snapshots/storage/bolt.go`).
struct OverlayfsSnapshotRecord: Sendable, Equatable {
  /// The snapshot kinds as containerd stores them in the `kind` byte.
  enum Kind: UInt8, Sendable {
    case unknown = 0
    case view = 1
    case active = 2
    case committed = 3
  }

  /// The backend name, `<namespace>/<sequence>/<key>` for snapshots made through meta.db.
  var name: String
  /// The directory number under `snapshots/`.
  var id: UInt64
  var kind: Kind
  var parentName: String?
  /// When the record was created, decoded from Go's binary time encoding.
  var createdAt: Date?

  /// The directory name of the snapshot: the decimal id, which contains only digits by
  /// construction.
  var directoryName: String { String(id) }
}

/// Reads every snapshot record of an overlayfs snapshotter `metadata.db`.
enum OverlayfsSnapshotReader {
  /// The records that could be decoded and a message for each that could not.
  struct Result {
    var records: [OverlayfsSnapshotRecord]
    var problems: [String]
  }

  static func read(_ database: BBoltDatabase) throws -> Result {
    guard let snapshots = try database.bucket(at: ["v1", "snapshots"]) else {
      return Result(records: [], problems: [])
    }
    var result = Result(records: [], problems: [])
    for entry in try snapshots.entries() where entry.isBucket {
      guard let name = entry.keyString else {
        result.problems.append("a snapshot name is not valid UTF-8")
        continue
      }
      do {
        result.records.append(try record(name: name, bucket: snapshots.nestedBucket(entry)))
      } catch let problem as RecordProblem {
        result.problems.append("snapshot \(name): \(problem.message)")
      }
    }
    return result
  }

  struct RecordProblem: Error {
    var message: String
  }

  private static func record(name: String, bucket: BBoltBucket) throws -> OverlayfsSnapshotRecord {
    guard let idBytes = try bucket.value(forKey: "id"), let id = decodeUvarint(idBytes), id > 0
    else {
      throw RecordProblem(message: "the id is missing or is not a positive uvarint")
    }
    let kindByte = try bucket.value(forKey: "kind") ?? []
    guard kindByte.count == 1, let kind = OverlayfsSnapshotRecord.Kind(rawValue: kindByte[0])
    else {
      throw RecordProblem(message: "the kind \(kindByte) is not one byte of 1, 2 or 3")
    }
    let parent = try bucket.value(forKey: "parent").map { String(decoding: $0, as: UTF8.self) }
    let createdAt = try bucket.value(forKey: "createdat").flatMap(GoBinaryTime.decode)
    return OverlayfsSnapshotRecord(
      name: name, id: id, kind: kind, parentName: parent, createdAt: createdAt)
  }

  /// Decodes a Go `binary.Uvarint` that fills all of `bytes`; nil when it is malformed,
  /// overflows 64 bits or has trailing bytes.
  static func decodeUvarint(_ bytes: [UInt8]) -> UInt64? {
    var value: UInt64 = 0
    for (index, byte) in bytes.enumerated() {
      guard index < 10 else { return nil }
      let payload = UInt64(byte & 0x7F)
      if index == 9 && byte > 1 { return nil }
      value |= payload << (7 * UInt64(index))
      if byte & 0x80 == 0 {
        return index == bytes.count - 1 ? value : nil
      }
    }
    return nil
  }
}

/// Go's `time.Time.MarshalBinary` encoding (versions 1 and 2): a version byte, seconds since
/// 0001-01-01 as a big-endian Int64, nanoseconds as a big-endian Int32 and a zone offset.
enum GoBinaryTime {
  /// Seconds from 0001-01-01 to 1970-01-01 UTC.
  static let unixEpochOffset: Int64 = 62_135_596_800

  static func decode(_ bytes: [UInt8]) -> Date? {
    guard bytes.count >= 15, bytes[0] == 1 || bytes[0] == 2 else { return nil }
    var seconds: Int64 = 0
    for byte in bytes[1...8] {
      seconds = seconds << 8 | Int64(byte)
    }
    var nanoseconds: Int64 = 0
    for byte in bytes[9...12] {
      nanoseconds = nanoseconds << 8 | Int64(byte)
    }
    let unixSeconds = Double(seconds &- unixEpochOffset) + Double(nanoseconds) / 1e9
    return Date(timeIntervalSince1970: unixSeconds)
  }
}
