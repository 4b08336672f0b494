import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// A minimal HTTP/1.1 client over a unix domain socket, for runtime APIs such as Docker's.
///
/// Every request has one deadline that covers connect, send and receive. The socket is
/// non-blocking and each wait is a `poll` bounded by the time left, so a request never
/// blocks past its deadline, also against a peer that accepts and never responds.
public struct UnixHTTPClient: Sendable {
  /// The socket's path.
  public var socketPath: String
  /// The largest response accepted, in bytes.
  public var maxResponseBytes: Int

  public init(socketPath: String, maxResponseBytes: Int = 16 << 20) {
    self.socketPath = socketPath
    self.maxResponseBytes = maxResponseBytes
  }

  /// Sends `GET target` and returns the response, or throws when the deadline of `timeout`
  /// seconds passes first.
  public func get(_ target: String, timeout: TimeInterval) throws(UnixHTTPError)
    -> UnixHTTPResponse
  {
    let deadline = UnixSocketDeadline(seconds: timeout)
    let socket = try UnixStreamSocket.connect(to: socketPath, deadline: deadline)
    defer { socket.close() }

    let request =
      "GET \(target) HTTP/1.1\r\nHost: localhost\r\nUser-Agent: layersweep\r\n"
      + "Accept: application/json\r\nConnection: close\r\n\r\n"
    try socket.send(Array(request.utf8), deadline: deadline)
    let raw = try socket.receiveAll(limit: maxResponseBytes, deadline: deadline)
    do {
      return try UnixHTTPResponse.parse(raw)
    } catch {
      throw UnixHTTPError(socketPath: socketPath, message: error.message)
    }
  }
}

/// A failed request: the operation, the socket and why.
public struct UnixHTTPError: Error, Sendable, Equatable, CustomStringConvertible {
  public var socketPath: String
  public var message: String

  public init(socketPath: String, message: String) {
    self.socketPath = socketPath
    self.message = message
  }

  public var description: String { "\(socketPath): \(message)" }
}

/// A parsed HTTP response with its body decoded from chunked transfer encoding if needed.
public struct UnixHTTPResponse: Sendable, Equatable {
  public var statusCode: Int
  /// Header fields by lowercased name.
  public var headers: [String: String]
  public var body: [UInt8]

  /// Parses a complete response as read until the peer closed the connection.
  static func parse(_ raw: [UInt8]) throws(UnixHTTPError) -> UnixHTTPResponse {
    let separator: [UInt8] = [13, 10, 13, 10]
    guard let headerEnd = raw.firstRange(of: separator) else {
      throw UnixHTTPError(socketPath: "", message: "response has no complete header")
    }
    let headerText = String(decoding: raw[..<headerEnd.lowerBound], as: UTF8.self)
    var lines = headerText.components(separatedBy: "\r\n")
    let statusParts = lines.removeFirst().split(separator: " ", maxSplits: 2)
    guard statusParts.count >= 2, statusParts[0].hasPrefix("HTTP/1."),
      let status = Int(statusParts[1])
    else {
      throw UnixHTTPError(socketPath: "", message: "invalid HTTP status line")
    }
    var headers: [String: String] = [:]
    for line in lines {
      guard let colon = line.firstIndex(of: ":") else { continue }
      let name = line[..<colon].lowercased()
      headers[name] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
    }
    var body = Array(raw[headerEnd.upperBound...])
    if headers["transfer-encoding"]?.lowercased().contains("chunked") == true {
      body = try decodeChunked(body)
    } else if let length = headers["content-length"].flatMap(Int.init), length <= body.count {
      body = Array(body.prefix(length))
    }
    return UnixHTTPResponse(statusCode: status, headers: headers, body: body)
  }

  private static func decodeChunked(_ data: [UInt8]) throws(UnixHTTPError) -> [UInt8] {
    var output: [UInt8] = []
    var index = 0
    while true {
      guard let lineEnd = data[index...].firstRange(of: [13, 10]) else {
        throw UnixHTTPError(socketPath: "", message: "truncated chunked body")
      }
      let sizeText = String(decoding: data[index..<lineEnd.lowerBound], as: UTF8.self)
      let sizeField = sizeText.split(separator: ";").first.map(String.init) ?? ""
      guard let size = Int(sizeField.trimmingCharacters(in: .whitespaces), radix: 16),
        size >= 0
      else {
        throw UnixHTTPError(socketPath: "", message: "invalid chunk size '\(sizeText)'")
      }
      if size == 0 { return output }
      let start = lineEnd.upperBound
      guard start + size <= data.count else {
        throw UnixHTTPError(socketPath: "", message: "truncated chunked body")
      }
      output += data[start..<start + size]
      index = start + size + 2
      guard index <= data.count else {
        throw UnixHTTPError(socketPath: "", message: "truncated chunked body")
      }
    }
  }
}

/// A point in monotonic time after which a request gives up.
struct UnixSocketDeadline {
  let end: UInt64

  init(seconds: TimeInterval) {
    end = Self.nowNanoseconds() + UInt64(max(0, seconds) * 1_000_000_000)
  }

  /// Milliseconds left, rounded up, or nil when the deadline has passed.
  var remainingMilliseconds: Int32? {
    let now = Self.nowNanoseconds()
    guard now < end else { return nil }
    return Int32(min((end - now + 999_999) / 1_000_000, UInt64(Int32.max)))
  }

  private static func nowNanoseconds() -> UInt64 {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
  }
}
