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
}

extension CleanTarget {
  public func companions(of finding: Finding) -> [String] { [] }
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
