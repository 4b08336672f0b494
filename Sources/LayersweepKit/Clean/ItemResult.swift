/// The outcome of one planned item.
public struct ItemResult: Sendable, Equatable {
  public enum Outcome: String, Sendable {
    case done, skipped, failed
  }

  public var item: PlannedItem
  public var outcome: Outcome
  /// The reason it was skipped or failed, or nil when done.
  public var message: String?
  /// The quarantine id, for quarantined items.
  public var quarantineID: String?

  public init(
    item: PlannedItem, outcome: Outcome, message: String? = nil, quarantineID: String? = nil
  ) {
    self.item = item
    self.outcome = outcome
    self.message = message
    self.quarantineID = quarantineID
  }
}
