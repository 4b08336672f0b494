#if canImport(Glibc)
  import Glibc
#endif

/// Binding a TCP socket to a numeric IPv4 or IPv6 address.
enum SocketAddress {
  /// Binds `descriptor` to `address`, listens, and returns the bound port.
  static func bind(_ descriptor: Int32, to address: ListenAddress) throws -> UInt16 {
    let failed = { WatchError.listenFailed(address: address.description, errno: errno) }
    if address.isIPv6 {
      var socketAddress = sockaddr_in6()
      socketAddress.sin6_family = sa_family_t(AF_INET6)
      socketAddress.sin6_port = address.port.bigEndian
      inet_pton(AF_INET6, address.host, &socketAddress.sin6_addr)
      guard bindRaw(descriptor, &socketAddress) == 0 else { throw failed() }
    } else {
      var socketAddress = sockaddr_in()
      socketAddress.sin_family = sa_family_t(AF_INET)
      socketAddress.sin_port = address.port.bigEndian
      inet_pton(AF_INET, address.host, &socketAddress.sin_addr)
      guard bindRaw(descriptor, &socketAddress) == 0 else { throw failed() }
    }
    guard listen(descriptor, 16) == 0 else { throw failed() }
    return boundPort(descriptor)
  }

  private static func bindRaw<Address>(_ descriptor: Int32, _ address: inout Address) -> Int32 {
    withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        Glibc.bind(descriptor, $0, socklen_t(MemoryLayout<Address>.size))
      }
    }
  }

  /// The port of `getsockname`; the IPv4 and IPv6 layouts keep it at the same offset.
  private static func boundPort(_ descriptor: Int32) -> UInt16 {
    var storage = sockaddr_in6()
    var length = socklen_t(MemoryLayout<sockaddr_in6>.size)
    _ = withUnsafeMutablePointer(to: &storage) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        getsockname(descriptor, $0, &length)
      }
    }
    return UInt16(bigEndian: storage.sin6_port)
  }
}
