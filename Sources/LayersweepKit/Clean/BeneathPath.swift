/// A path split into components beneath a trusted root directory, validated so that no
/// component can leave the root: no `..`, `.`, empty component or NUL byte.
public struct BeneathPath: Sendable, Equatable {
  /// The trusted root, absolute, as the operator configured it.
  public var root: String
  /// The components below `root`; empty when the path is the root itself.
  public var components: [String]

  /// The maximum length of one component in bytes, Linux's `NAME_MAX`.
  static let maxComponentBytes = 255

  /// Splits `path` beneath `root`, or throws when `path` is not strictly inside `root`.
  public init(_ path: String, beneath root: String) throws {
    let normalizedRoot = Self.trimmingTrailingSlashes(root)
    guard normalizedRoot.hasPrefix("/") else {
      throw CleanError.invalidPath(path: root, reason: "the store root is not absolute")
    }
    let prefix = normalizedRoot == "/" ? "/" : normalizedRoot + "/"
    guard path.hasPrefix(prefix) else {
      throw CleanError.invalidPath(path: path, reason: "it is not beneath \(normalizedRoot)")
    }
    let relative = path.dropFirst(prefix.count)
    let parts = relative.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
    for part in parts {
      try Self.validate(component: part, in: path)
    }
    self.root = normalizedRoot
    self.components = parts
  }

  /// The absolute path, for messages.
  public var path: String {
    components.isEmpty ? root : (root == "/" ? "" : root) + "/" + components.joined(separator: "/")
  }

  /// The last component.
  public var name: String { components.last ?? "" }

  /// The components of the parent directory.
  public var parentComponents: [String] { Array(components.dropLast()) }

  /// Throws unless `component` is a plain file name: not empty, not `.` or `..`, no `/` or
  /// NUL, at most 255 bytes.
  public static func validate(component: String, in path: String) throws {
    let reason: String?
    if component.isEmpty {
      reason = "it has an empty component"
    } else if component == "." || component == ".." {
      reason = "it has a '\(component)' component"
    } else if component.utf8.contains(0) || component.contains("/") {
      reason = "a component contains a NUL byte or '/'"
    } else if component.utf8.count > maxComponentBytes {
      reason = "a component is longer than \(maxComponentBytes) bytes"
    } else {
      reason = nil
    }
    if let reason { throw CleanError.invalidPath(path: path, reason: reason) }
  }

  private static func trimmingTrailingSlashes(_ path: String) -> String {
    var trimmed = Substring(path)
    while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
    return String(trimmed)
  }
}
