import Foundation

/// The re-verification hook a store provides so clean can act on its findings: right before
/// an item is acted on, the store re-reads its metadata and confirms the item is still
/// garbage. A `StoreAdapter` conforms to this protocol to make its findings cleanable; the
/// findings of a store without a `CleanTarget` are only reported.
public protocol CleanTarget: Sendable {
  /// The store's name, equal to the `store` of its findings.
  var name: String { get }

  /// The store root. Every path the target's findings act on lies beneath it, and its
  /// quarantine lives in `<cleanRoot>/.layersweep-trash`, on the same filesystem.
  var cleanRoot: String { get }

  /// Re-reads the store's metadata and `context.mounts` and returns `.confirmed` only when
  /// `finding` is still garbage. Called once per item, immediately before the action; any
  /// doubt (unreadable metadata, a new reference, a changed mtime) returns `.changed`.
  func reverify(_ finding: Finding, context: ReverificationContext) -> Reverification

  /// Paths to quarantine together with `finding.path`, such as an overlay2 layer's
  /// `l/<short-id>` link. Each lies beneath `cleanRoot`. Called after `reverify` confirmed.
  func companions(of finding: Finding) -> [String]

  /// Runs `body`, which re-verifies and acts on one item, while the store's own locks keep
  /// its runtime out, and throws when they cannot be taken. Stores whose runtime has no
  /// such locks run `body` directly.
  func withExclusiveAccess<T>(_ body: () throws -> T) throws -> T
}

extension CleanTarget {
  public func companions(of finding: Finding) -> [String] { [] }

  /// Runs the checks every store makes before its own: the finding has a path, its kind is
  /// one of `kinds`, and `PathReverifier` confirms the path beneath `cleanRoot`.
  func reverifyPath(
    _ finding: Finding, kinds: Set<FindingKind>, context: ReverificationContext
  ) -> Reverification {
    guard let path = finding.path else { return .changed("the finding has no path") }
    guard kinds.contains(finding.kind) else {
      return .changed("\(finding.kind.rawValue) findings are not cleaned in \(name)")
    }
    return PathReverifier.verify(path, root: cleanRoot, context: context)
  }

  /// Confirms `finding` when `fresh`, the findings of a new read of the store, contains the
  /// same object (kind, store, id and path) and still marks it cleanable.
  func confirmSameFinding(_ finding: Finding, in fresh: [Finding]) -> Reverification {
    let path = finding.path ?? finding.id
    guard let current = fresh.first(where: { $0.isSameObject(as: finding) }) else {
      return .changed("a fresh read of \(cleanRoot) no longer reports \(path) as garbage")
    }
    guard current.cleanable else {
      let reason = current.nextStep ?? current.evidence.last ?? "it is not cleanable"
      return .changed("a fresh read of \(cleanRoot) reports \(path) as not cleanable: \(reason)")
    }
    return .confirmed
  }

  public func withExclusiveAccess<T>(_ body: () throws -> T) throws -> T { try body() }
}

/// What re-verification found.
public enum Reverification: Equatable, Sendable {
  /// The item is still garbage and may be acted on.
  case confirmed
  /// The item changed or could not be checked, so it is skipped. The sentence gives the reason.
  case changed(String)
}

/// The reference state of a re-verification: the item as seen when the plan was made, and
/// the mount table read immediately before the action.
public struct ReverificationContext: Sendable {
  /// The host mount table, read just now.
  public var mounts: [MountEntry]
  /// The item as it was when the plan was made; nil when it had no path.
  public var planned: PathObservation?
  public var now: Date
  /// Objects modified less than this many seconds ago are never touched.
  public var minimumAge: Int64

  public init(
    mounts: [MountEntry], planned: PathObservation?, now: Date = Date(), minimumAge: Int64
  ) {
    self.mounts = mounts
    self.planned = planned
    self.now = now
    self.minimumAge = minimumAge
  }
}
