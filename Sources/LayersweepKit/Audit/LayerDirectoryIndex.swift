import Foundation

/// Recognises layer content directories (`<layer>/diff`) in overlay mount options, across
/// every store, including `l/<short-id>` links that stand for them.
final class LayerDirectoryIndex {
  struct Layer: Hashable {
    var store: String
    var id: String
    var directory: String
  }

  private var layersByDirectory: [String: Layer] = [:]
  private var layerRoots: [(store: String, root: String)] = []
  /// Each layer root's `l/` directory, normalized.
  private var linkDirectories: Set<String> = []
  private var resolvedLinks: [String: String?] = [:]

  init(stores: [StoreAuditResult]) {
    for store in stores {
      for (id, directory) in store.layerDiffDirectories {
        let layer = Layer(store: store.status.name, id: id, directory: directory)
        layersByDirectory[Self.normalized(directory)] = layer
      }
      if let root = store.layerRoot {
        layerRoots.append((store.status.name, root))
        linkDirectories.insert(Self.normalized(root + "/l"))
      }
    }
  }

  /// Finds the layers an overlay mount uses as upperdir and lowerdirs; both empty for other mounts.
  func layers(of mount: MountEntry) -> (upper: Layer?, lower: [Layer]) {
    guard mount.fsType == "overlay" else { return (nil, []) }
    let options = Self.options(of: mount)
    let upper = options["upperdir"].flatMap(layer(forDirectory:))
    let lowerDirectories = options["lowerdir"]?.split(separator: ":").map(String.init) ?? []
    return (upper, lowerDirectories.compactMap(layer(forDirectory:)))
  }

  /// Finds the layer whose content `directory` is, resolving relative paths against each store's
  /// layer root and `l/<short-id>` links through `readlink`.
  func layer(forDirectory directory: String) -> Layer? {
    let candidates =
      directory.hasPrefix("/")
      ? [directory] : layerRoots.map { $0.root + "/" + directory }
    for candidate in candidates.map(Self.normalized) {
      if let layer = layersByDirectory[candidate] { return layer }
      if let target = resolveLink(candidate), let layer = layersByDirectory[target] {
        return layer
      }
    }
    return nil
  }

  /// Follows one symbolic link directly under a layer root's `l/` directory; nil for
  /// anything else or an unreadable link.
  private func resolveLink(_ path: String) -> String? {
    let linkDirectory = CrossChecks.parent(of: path)
    guard linkDirectories.contains(linkDirectory) else { return nil }
    if let cached = resolvedLinks[path] { return cached }

    let destination = try? FileManager.default.destinationOfSymbolicLink(atPath: path)
    let resolved = destination.map { target in
      Self.normalized(target.hasPrefix("/") ? target : linkDirectory + "/" + target)
    }
    resolvedLinks[path] = resolved
    return resolved
  }

  /// Key-value mount options from both the per-mount and the per-superblock option strings.
  static func options(of mount: MountEntry) -> [String: String] {
    var options: [String: String] = [:]
    for text in [mount.vfsOptions, mount.fsOptions] {
      for option in text.split(separator: ",") {
        let parts = option.split(separator: "=", maxSplits: 1).map(String.init)
        if parts.count == 2 { options[parts[0]] = parts[1] }
      }
    }
    return options
  }

  /// `path` with `.` and `..` components and repeated slashes removed, without touching disk.
  static func normalized(_ path: String) -> String {
    if isNormalized(path) { return path }
    var components: [Substring] = []
    for component in path.split(separator: "/") {
      switch component {
      case ".": continue
      case "..": _ = components.popLast()
      default: components.append(component)
      }
    }
    return "/" + components.joined(separator: "/")
  }

  /// Whether `path` is already in the form `normalized` returns: absolute, without empty,
  /// `.` or `..` components and without a trailing slash. Most paths are, and checking is
  /// cheaper than splitting and joining them.
  private static func isNormalized(_ path: String) -> Bool {
    let slash = UInt8(ascii: "/")
    let bytes = path.utf8
    guard bytes.first == slash else { return false }
    guard bytes.count > 1 else { return true }
    var length = 0
    var dots = 0
    for byte in bytes.dropFirst() {
      if byte == slash {
        guard length > 0, !isDotComponent(length: length, dots: dots) else { return false }
        length = 0
        dots = 0
      } else {
        length += 1
        if byte == UInt8(ascii: ".") { dots += 1 }
      }
    }
    return length > 0 && !isDotComponent(length: length, dots: dots)
  }

  /// Whether a component of `length` bytes, `dots` of them dots, is `.` or `..`.
  private static func isDotComponent(length: Int, dots: Int) -> Bool {
    dots == length && length <= 2
  }
}
