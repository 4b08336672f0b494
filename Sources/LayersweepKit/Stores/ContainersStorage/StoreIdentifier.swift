/// Checks ids read from store metadata before they become path components.
///
/// NOTE: the Docker overlay2 store needs the same check; the two should share one
/// implementation in `Support/` once both exist.
enum StoreIdentifier {
  /// The maximum id length in bytes: `NAME_MAX`, the longest file name Linux allows. Ids are
  /// usually 64 hex digits, and Docker's `<chainID>-<random id>-removing` layerdb entries
  /// reach 138 bytes.
  static let maximumLength = 255

  /// Checks that `id` is safe as one path component: 1 to 255 bytes of letters, digits, `_`,
  /// `-` and `.`, not starting with `.`, so `..`, `/` and NUL can never appear.
  static func isValid(_ id: String) -> Bool {
    let bytes = Array(id.utf8)
    guard !bytes.isEmpty, bytes.count <= maximumLength, bytes[0] != UInt8(ascii: ".") else {
      return false
    }
    return bytes.allSatisfy(isAllowed)
  }

  private static func isAllowed(_ byte: UInt8) -> Bool {
    switch byte {
    case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
      UInt8(ascii: "0")...UInt8(ascii: "9"):
      return true
    case UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "."):
      return true
    default:
      return false
    }
  }
}
