/// Checks identifiers read from disk before they become path components, so a crafted or
/// corrupt metadata file can never point layersweep outside the store root.
public enum StoreIdentifier {
  /// The longest identifier accepted, in bytes. Linux allows 255 bytes per file name.
  public static let maxLength = 255

  /// The form an identifier must have.
  public enum Shape: Sendable {
    /// 64 lowercase hex digits, as Docker's random ids and sha256 digests.
    case hex64
    /// A Docker graph driver layer id: 64 hex digits, optionally followed by `-init`.
    case dockerLayer
    /// An overlay short link name: 26 characters of `A-Z` and `0-9`.
    case shortLink
    /// Any single path component: no `/`, no NUL, not `.` or `..`.
    case pathComponent
  }

  /// Returns `raw` unchanged when it has `shape`, or throws an `AuditError` naming `file`.
  public static func validated(
    _ raw: String, shape: Shape, file: String, store: String
  ) throws(AuditError) -> String {
    guard isSafeComponent(raw) else {
      throw invalid(raw, shape: shape, file: file, store: store)
    }
    guard matches(raw, shape: shape) else {
      throw invalid(raw, shape: shape, file: file, store: store)
    }
    return raw
  }

  /// Whether `raw` can be used as one path component inside a store directory.
  public static func isSafeComponent(_ raw: String) -> Bool {
    let bytes = Array(raw.utf8)
    guard !bytes.isEmpty, bytes.count <= maxLength else { return false }
    guard raw != ".", raw != ".." else { return false }
    return !bytes.contains(UInt8(ascii: "/")) && !bytes.contains(0)
  }

  /// Whether `raw` has `shape`; assumes `isSafeComponent(raw)`.
  public static func matches(_ raw: String, shape: Shape) -> Bool {
    switch shape {
    case .hex64:
      return isHex64(Substring(raw))
    case .dockerLayer:
      let base = raw.hasSuffix("-init") ? raw.dropLast(5) : Substring(raw)
      return isHex64(base)
    case .shortLink:
      return raw.utf8.count == 26
        && raw.utf8.allSatisfy { (0x41...0x5A).contains($0) || (0x30...0x39).contains($0) }
    case .pathComponent:
      return isSafeComponent(raw)
    }
  }

  /// Whether `id` is a containers/storage or aufs id: 1 to 255 bytes of letters, digits, `_`,
  /// `-` and `.`, not starting with `.`, so `..`, `/` and NUL can never appear.
  public static func isValid(_ id: String) -> Bool {
    let bytes = Array(id.utf8)
    guard !bytes.isEmpty, bytes.count <= maxLength, bytes[0] != UInt8(ascii: ".") else {
      return false
    }
    return bytes.allSatisfy { byte in
      switch byte {
      case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
        UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"),
        UInt8(ascii: "."):
        true
      default:
        false
      }
    }
  }

  /// Renders an untrusted value for a message: control bytes escaped, at most 80 characters.
  public static func displayed(_ raw: String) -> String {
    var text = ""
    for scalar in raw.unicodeScalars.prefix(80) {
      text +=
        scalar.value < 0x20 || scalar.value == 0x7F
        ? String(format: "\\x%02x", scalar.value) : String(scalar)
    }
    let count = raw.unicodeScalars.count
    return count > 80 ? text + "... (\(count) characters)" : text
  }

  private static func isHex64(_ text: Substring) -> Bool {
    text.utf8.count == 64
      && text.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
  }

  private static func invalid(
    _ raw: String, shape: Shape, file: String, store: String
  ) -> AuditError {
    AuditError(
      store: store, path: file,
      message: "invalid identifier '\(displayed(raw))' (expected \(describe(shape))); "
        + "the file is corrupt or crafted, so nothing it names is used. Inspect it by hand.")
  }

  private static func describe(_ shape: Shape) -> String {
    switch shape {
    case .hex64: "64 lowercase hex digits"
    case .dockerLayer: "64 lowercase hex digits, optionally followed by -init"
    case .shortLink: "26 characters of A-Z and 0-9"
    case .pathComponent: "one file name without '/', NUL, '.' or '..'"
    }
  }
}
