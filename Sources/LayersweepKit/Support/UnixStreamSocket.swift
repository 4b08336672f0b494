import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// A connected, non-blocking `AF_UNIX` stream socket whose every wait is bounded by a
/// deadline.
struct UnixStreamSocket {
  let fd: Int32
  let path: String

  /// Connects to the socket at `path`; throws when it is missing, refuses, or does not
  /// accept before `deadline`.
  static func connect(to path: String, deadline: UnixSocketDeadline) throws(UnixHTTPError)
    -> UnixStreamSocket
  {
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    let pathBytes = Array(path.utf8)
    let capacity = MemoryLayout.size(ofValue: address.sun_path)
    guard pathBytes.count < capacity, !pathBytes.contains(0) else {
      throw UnixHTTPError(socketPath: path, message: "socket path is too long or contains NUL")
    }
    withUnsafeMutableBytes(of: &address.sun_path) { buffer in
      buffer.copyBytes(from: pathBytes)
    }

    let fd = socket(
      AF_UNIX,
      Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue)
        | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard fd >= 0 else { throw failure(path, "socket") }
    let socket = UnixStreamSocket(fd: fd, path: path)
    let result = withUnsafePointer(to: &address) { pointer in
      pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
      }
    }
    if result != 0 {
      let code = errno
      guard code == EINPROGRESS || code == EAGAIN || code == EINTR else {
        socket.close()
        throw failure(path, "connect", code)
      }
      try socket.finishConnect(deadline: deadline)
    }
    return socket
  }

  func close() {
    _ = Glibc.close(fd)
  }

  /// Writes all of `bytes`, waiting for buffer space until `deadline`.
  func send(_ bytes: [UInt8], deadline: UnixSocketDeadline) throws(UnixHTTPError) {
    var offset = 0
    while offset < bytes.count {
      let written = bytes[offset...].withUnsafeBytes { buffer in
        Glibc.send(fd, buffer.baseAddress, buffer.count, Int32(MSG_NOSIGNAL))
      }
      if written > 0 {
        offset += written
        continue
      }
      let code = errno
      guard code == EAGAIN || code == EINTR else {
        throw Self.failure(path, "send", code)
      }
      try wait(for: Int16(POLLOUT), deadline: deadline, operation: "send")
    }
  }

  /// Reads until the peer closes the connection, at most `limit` bytes.
  func receiveAll(limit: Int, deadline: UnixSocketDeadline) throws(UnixHTTPError) -> [UInt8] {
    var data: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
      let count = buffer.withUnsafeMutableBytes { Glibc.recv(fd, $0.baseAddress, $0.count, 0) }
      if count == 0 { return data }
      if count > 0 {
        data += buffer[0..<count]
        guard data.count <= limit else {
          throw UnixHTTPError(socketPath: path, message: "response larger than \(limit) bytes")
        }
        continue
      }
      let code = errno
      guard code == EAGAIN || code == EINTR else { throw Self.failure(path, "recv", code) }
      try wait(for: Int16(POLLIN), deadline: deadline, operation: "receive")
    }
  }

  private func finishConnect(deadline: UnixSocketDeadline) throws(UnixHTTPError) {
    do {
      try wait(for: Int16(POLLOUT), deadline: deadline, operation: "connect")
    } catch {
      close()
      throw error
    }
    var code: Int32 = 0
    var length = socklen_t(MemoryLayout<Int32>.size)
    guard getsockopt(fd, SOL_SOCKET, SO_ERROR, &code, &length) == 0, code == 0 else {
      close()
      throw Self.failure(path, "connect", code == 0 ? errno : code)
    }
  }

  /// Polls for `events` until they are ready; throws a timeout once `deadline` passes.
  private func wait(
    for events: Int16, deadline: UnixSocketDeadline, operation: String
  ) throws(UnixHTTPError) {
    while true {
      guard let remaining = deadline.remainingMilliseconds else {
        throw UnixHTTPError(socketPath: path, message: "\(operation) timed out")
      }
      var descriptor = pollfd(fd: fd, events: events, revents: 0)
      let ready = poll(&descriptor, 1, remaining)
      if ready > 0 { return }
      if ready < 0 && errno != EINTR { throw Self.failure(path, "poll", errno) }
    }
  }

  private static func failure(_ path: String, _ call: String, _ code: Int32 = errno)
    -> UnixHTTPError
  {
    UnixHTTPError(socketPath: path, message: "\(call) failed: \(String(cString: strerror(code)))")
  }
}
