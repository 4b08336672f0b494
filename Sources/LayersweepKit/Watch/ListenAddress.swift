#if canImport(Glibc)
  import Glibc
#endif

/// A TCP address to serve `/metrics` on: `127.0.0.1:9476`, `[::1]:9476`, or port 0 for any
/// free port.
public struct ListenAddress: Equatable, Sendable, CustomStringConvertible {
  public var host: String
  public var port: UInt16
  public var isIPv6: Bool

  public init(host: String, port: UInt16, isIPv6: Bool) {
    self.host = host
    self.port = port
    self.isIPv6 = isIPv6
  }

  /// Parses `HOST:PORT` or `[HOST]:PORT`, where HOST is a numeric IPv4 or IPv6 address.
  public static func parse(_ text: String) throws -> ListenAddress {
    let invalid = WatchError.invalidListenAddress(text)
    guard let colon = text.lastIndex(of: ":"), let port = UInt16(text[text.index(after: colon)...])
    else { throw invalid }
    var host = String(text[..<colon])
    let isIPv6 = host.hasPrefix("[") && host.hasSuffix("]")
    if isIPv6 { host = String(host.dropFirst().dropLast()) }
    var probe = [UInt8](repeating: 0, count: 16)
    guard inet_pton(isIPv6 ? AF_INET6 : AF_INET, host, &probe) == 1 else { throw invalid }
    return ListenAddress(host: host, port: port, isIPv6: isIPv6)
  }

  public var description: String { isIPv6 ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
