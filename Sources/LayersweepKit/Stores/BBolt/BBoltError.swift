import Foundation

/// A bbolt file that could not be opened or read, with the page where reading stopped.
public struct BBoltError: Error, Sendable, Equatable, CustomStringConvertible {
  /// The database file.
  public var path: String
  /// The page being read when the problem was found; nil for whole-file problems.
  public var pageID: UInt64?
  /// The problem, as one sentence without the path.
  public var message: String

  public init(path: String, pageID: UInt64? = nil, message: String) {
    self.path = path
    self.pageID = pageID
    self.message = message
  }

  public var description: String {
    if let pageID {
      return "\(path): page \(pageID): \(message)"
    }
    return "\(path): \(message)"
  }
}
