#if canImport(Glibc)
  import Glibc
#endif

/// Failures that stop `layersweep watch` from starting or from serving.
public enum WatchError: Error, Equatable, CustomStringConvertible {
  case threadStartFailed(errno: Int32)
  case invalidListenAddress(String)
  case listenFailed(address: String, errno: Int32)
  case unreadable(path: String, errno: Int32)

  public var description: String {
    switch self {
    case .threadStartFailed(let code):
      "could not start a probe thread: \(Self.text(code)); raise the process's thread limit"
    case .invalidListenAddress(let value):
      "invalid listen address '\(value)': expected IPv4-ADDRESS:PORT, [IPv6-ADDRESS]:PORT or 'none'"
    case .listenFailed(let address, let code):
      "could not listen on \(address): \(Self.text(code)); choose another address with --listen"
    case .unreadable(let path, let code):
      "\(path): could not read: \(Self.text(code))"
    }
  }

  static func text(_ code: Int32) -> String {
    String(cString: strerror(code))
  }
}
