import Foundation

/// Disk usage of a directory tree, counted the way `du` does for one filesystem.
enum DirectoryUsage {
  /// Returns the bytes allocated to `path` and everything below it, or nil when `path`
  /// cannot be read. Never follows symbolic links and stays on the filesystem of `path`;
  /// entries that vanish or cannot be read during the walk are skipped.
  static func bytes(under path: String) -> Int64? {
    var rootStatus = stat()
    guard lstat(path, &rootStatus) == 0 else { return nil }
    var total: Int64 = 0
    var pending = [path]
    while let directory = pending.popLast() {
      guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else {
        continue
      }
      for name in names {
        var status = stat()
        let child = directory + "/" + name
        guard lstat(child, &status) == 0, status.st_dev == rootStatus.st_dev else { continue }
        total += Int64(status.st_blocks) * 512
        if status.st_mode & S_IFMT == S_IFDIR { pending.append(child) }
      }
    }
    return total + Int64(rootStatus.st_blocks) * 512
  }
}
