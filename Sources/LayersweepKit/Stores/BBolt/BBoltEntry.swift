/// One key of a bucket with its value, or with the encoded header of a nested bucket.
public struct BBoltEntry: Sendable, Equatable {
  public var key: [UInt8]
  /// The stored value; for a nested bucket, its root page id, sequence and inline page.
  public var value: [UInt8]
  /// Whether the key names a nested bucket rather than a plain value.
  public var isBucket: Bool

  /// The key decoded as UTF-8, or nil when it is not valid UTF-8.
  public var keyString: String? { String(validating: key, as: UTF8.self) }

  /// The value decoded as UTF-8, or nil when it is not valid UTF-8.
  public var valueString: String? { String(validating: value, as: UTF8.self) }
}
