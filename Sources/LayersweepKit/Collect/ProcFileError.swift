/// A line in a procfs or cgroupfs file that does not have the expected layout.
public struct ProcFileError: Error, Equatable, CustomStringConvertible {
  public var path: String
  /// The line number, from 1; nil when the problem is not on one line.
  public var line: Int?
  public var reason: String

  public init(path: String, line: Int? = nil, reason: String) {
    self.path = path
    self.line = line
    self.reason = reason
  }

  public var description: String {
    let location = line.map { "\(path):\($0)" } ?? path
    return "\(location): \(reason); check that the path points at a procfs or cgroupfs mount"
  }
}
