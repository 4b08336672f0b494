import Foundation

/// A remover that records each call and changes nothing, for `--dry-run` and tests.
public final class RecordingRemover: Remover, @unchecked Sendable {
  /// One recorded call.
  public enum Action: Equatable, Sendable {
    case removeTree(path: String)
    case rename(source: String, destination: String)
    case createDirectory(path: String)
    case writeFile(path: String)
    case unmount(target: String)
    case unmountInNamespace(target: String, pid: Int32)
    case removeCgroup(path: String)
  }

  private let lock = NSLock()
  private var recorded: [Action] = []

  public init() {}

  /// The calls made so far, in order.
  public var actions: [Action] { lock.withLock { recorded } }

  public func removeTree(at path: String, beneath root: String) throws {
    try record(.removeTree(path: path), paths: [path], root: root)
  }

  public func rename(_ source: String, to destination: String, beneath root: String) throws {
    try record(
      .rename(source: source, destination: destination), paths: [source, destination], root: root)
  }

  public func createDirectory(at path: String, beneath root: String) throws {
    try record(.createDirectory(path: path), paths: [path], root: root)
  }

  public func writeFile(_ contents: [UInt8], to path: String, beneath root: String) throws {
    try record(.writeFile(path: path), paths: [path], root: root)
  }

  public func unmount(_ target: String) throws {
    lock.withLock { recorded.append(.unmount(target: target)) }
  }

  public func unmount(_ target: String, inNamespaceOf pid: Int32) throws {
    lock.withLock { recorded.append(.unmountInNamespace(target: target, pid: pid)) }
  }

  public func removeCgroup(at path: String, beneath root: String) throws {
    try record(.removeCgroup(path: path), paths: [path], root: root)
  }

  /// Validates the paths as the real remover would, so a dry run rejects what a real run
  /// would reject, then records the call.
  private func record(_ action: Action, paths: [String], root: String) throws {
    for path in paths {
      _ = try BeneathPath(path, beneath: root)
    }
    lock.withLock { recorded.append(action) }
  }
}

extension RecordingRemover.Action: CustomStringConvertible {
  /// The action as an operator reads it in a dry run.
  public var description: String {
    switch self {
    case .removeTree(let path): "remove \(path)"
    case .rename(let source, let destination): "rename \(source) to \(destination)"
    case .createDirectory(let path): "create directory \(path)"
    case .writeFile(let path): "write \(path)"
    case .unmount(let target): "unmount \(target)"
    case .unmountInNamespace(let target, let pid):
      "unmount \(target) in the mount namespace of pid \(pid)"
    case .removeCgroup(let path): "remove cgroup \(path)"
    }
  }
}
