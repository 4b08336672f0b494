/// Problems met while reading one Docker root: errors to report, and the reasons why some
/// reference to a layer directory may have gone unseen.
struct DockerReadIssues {
  let store: String
  var errors: [AuditError] = []
  /// One sentence per read failure that could hide a reference to an overlay2 directory.
  /// While any exist, no orphaned-layer finding is cleanable.
  var hiddenReferences: [String] = []
  /// One sentence per read failure that could hide a reference to a layer chain.
  var hiddenChainReferences: [String] = []

  mutating func record(_ error: AuditError, hidesLayers: Bool = false, hidesChains: Bool = false) {
    errors.append(error)
    let sentence = "\(error.path) could not be read (\(error.message))."
    if hidesLayers { hiddenReferences.append(sentence) }
    if hidesChains { hiddenChainReferences.append(sentence) }
  }

  /// Appends the issues another reader of the same root recorded, after this one's.
  mutating func append(_ other: DockerReadIssues) {
    errors += other.errors
    hiddenReferences += other.hiddenReferences
    hiddenChainReferences += other.hiddenChainReferences
  }

  mutating func record(
    path: String, message: String, hidesLayers: Bool = false, hidesChains: Bool = false
  ) {
    record(
      AuditError(store: store, path: path, message: message), hidesLayers: hidesLayers,
      hidesChains: hidesChains)
  }

  /// Returns the validated identifier in the file at `path`, nil when the file is absent,
  /// and records an error (and a hidden reference when `hidesLayers`) when it is unreadable
  /// or malformed.
  mutating func readIdentifier(
    at path: String, shape: StoreIdentifier.Shape, prefix: String = "",
    hidesLayers: Bool = false, hidesChains: Bool = false
  ) -> String? {
    identifier(
      in: StoreFileSystem.text(of: path), path: path, shape: shape, prefix: prefix,
      hidesLayers: hidesLayers, hidesChains: hidesChains)
  }

  /// Validates the already read content of the file at `path` as `readIdentifier` does.
  mutating func identifier(
    in content: StoreFileSystem.ReadResult<String>, path: String,
    shape: StoreIdentifier.Shape, prefix: String = "", hidesLayers: Bool = false,
    hidesChains: Bool = false
  ) -> String? {
    switch content {
    case .missing:
      return nil
    case .failed(let message):
      record(
        path: path, message: message + "; check its permissions and the disk",
        hidesLayers: hidesLayers, hidesChains: hidesChains)
      return nil
    case .value(let text):
      guard text.hasPrefix(prefix) else {
        record(
          path: path,
          message: "invalid content '\(StoreIdentifier.displayed(text))' (expected "
            + "\(prefix)<identifier>); the file is corrupt or crafted, so nothing it names is "
            + "used. Inspect it by hand.",
          hidesLayers: hidesLayers, hidesChains: hidesChains)
        return nil
      }
      do {
        let body = String(text.dropFirst(prefix.count))
        return try StoreIdentifier.validated(body, shape: shape, file: path, store: store)
      } catch {
        record(error, hidesLayers: hidesLayers, hidesChains: hidesChains)
        return nil
      }
    }
  }
}
