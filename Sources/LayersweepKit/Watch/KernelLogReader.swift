#if canImport(Glibc)
  import Glibc
#endif

/// Reads hung-task reports ("INFO: task NAME:PID blocked for more than N seconds.") from
/// `/dev/kmsg` without blocking.
///
/// Each `read` of /dev/kmsg returns one record, `PRIORITY,SEQUENCE,MICROSECONDS,FLAGS;TEXT`
/// followed by continuation lines that start with a space. The reader opens the device
/// non-blocking, so a read with nothing new returns `EAGAIN` at once.
final class KernelLogReader: @unchecked Sendable {
  /// One hung-task report.
  struct HungTaskReport: Equatable, Sendable {
    var command: String
    var pid: Int32
    var blockedSeconds: Int
    /// Microseconds since boot when the kernel logged it.
    var loggedAtMicroseconds: UInt64
    var message: String
  }

  let path: String
  private var descriptor: Int32 = -1

  /// Opens `path` non-blocking. With `startAtEnd`, older records are skipped, so only
  /// reports logged from now on are read.
  init(path: String, startAtEnd: Bool) throws {
    self.path = path
    descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
    guard descriptor >= 0 else { throw WatchError.unreadable(path: path, errno: errno) }
    if startAtEnd { lseek(descriptor, 0, SEEK_END) }
  }

  deinit {
    if descriptor >= 0 { close(descriptor) }
  }

  /// Most records read in one call, so a flood of kernel messages cannot stall a round.
  static let recordLimit = 4096

  /// Reads every record available now and returns the hung-task reports among them.
  func readReports() -> [HungTaskReport] {
    var reports: [HungTaskReport] = []
    var buffer = [UInt8](repeating: 0, count: 8192)
    for _ in 0..<Self.recordLimit {
      let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
      if count < 0 && (errno == EPIPE || errno == EINTR) { continue }
      if count <= 0 { break }
      let text = String(decoding: buffer[0..<count], as: UTF8.self)
      reports += Self.parseReports(text)
    }
    return reports
  }

  /// Parses the hung-task reports in `text`, which contains records one per line. Lines that
  /// start with a space continue the record before them and are skipped.
  static func parseReports(_ text: String) -> [HungTaskReport] {
    text.split(separator: "\n").compactMap { line in
      guard !line.hasPrefix(" "), let semicolon = line.firstIndex(of: ";") else { return nil }
      let header = line[..<semicolon].split(separator: ",")
      guard header.count >= 3, let microseconds = UInt64(header[2]) else { return nil }
      return parseMessage(String(line[line.index(after: semicolon)...]), at: microseconds)
    }
  }

  /// Parses `INFO: task NAME:PID blocked for more than N seconds.`; NAME may contain `:`.
  static func parseMessage(_ message: String, at microseconds: UInt64) -> HungTaskReport? {
    let prefix = "INFO: task "
    let marker = " blocked for more than "
    guard message.hasPrefix(prefix), let markerRange = message.range(of: marker) else {
      return nil
    }
    let task = message[
      message.index(
        message.startIndex, offsetBy: prefix.count)..<markerRange
        .lowerBound]
    guard let colon = task.lastIndex(of: ":"), let pid = Int32(task[task.index(after: colon)...])
    else { return nil }
    let secondsText = message[markerRange.upperBound...].prefix { $0.isNumber }
    guard let seconds = Int(secondsText) else { return nil }
    return HungTaskReport(
      command: String(task[..<colon]), pid: pid, blockedSeconds: seconds,
      loggedAtMicroseconds: microseconds, message: message)
  }
}
