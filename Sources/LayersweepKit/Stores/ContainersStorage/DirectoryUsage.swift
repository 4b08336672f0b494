import Foundation

/// Counts the bytes a directory tree occupies on disk, for a finding's reclaimable bytes.
///
/// NOTE: the Docker overlay2 store has its own walker; the two should become one in
/// `Support/` once both exist.
enum DirectoryUsage {
  /// Sums the allocated size (`st_blocks * 512`) of every entry below `path`, itself
  /// included. Walks with `lstat`, never follows symlinks and stays on the filesystem of
  /// `path`, so a mount inside the tree is not counted. Hard links are counted once.
  /// Returns nil when `path` cannot be read.
  static func allocatedBytes(at path: String) -> Int64? {
    var root = stat()
    guard lstat(path, &root) == 0 else { return nil }
    var seen = Set<[UInt64]>()
    return walk(path, info: root, device: root.st_dev, seen: &seen)
  }

  private static func walk(
    _ path: String, info: stat, device: dev_t, seen: inout Set<[UInt64]>
  ) -> Int64 {
    if info.st_nlink > 1, (info.st_mode & S_IFMT) != S_IFDIR {
      let key = [UInt64(info.st_dev), UInt64(info.st_ino)]
      guard seen.insert(key).inserted else { return 0 }
    }
    var total = Int64(info.st_blocks) * 512
    guard (info.st_mode & S_IFMT) == S_IFDIR else { return total }

    let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
    for name in names {
      let child = path + "/" + name
      var childInfo = stat()
      guard lstat(child, &childInfo) == 0, childInfo.st_dev == device else { continue }
      total += walk(child, info: childInfo, device: device, seen: &seen)
    }
    return total
  }
}
