import Foundation

/// One entry of the overlayfs snapshotter's `snapshots/` directory, read with `lstat`.
struct SnapshotDirectoryEntry: Sendable, Equatable {
  var name: String
  /// Whether the entry is a real directory (not a symbolic link or a file).
  var isDirectory: Bool
  var modifiedAt: Date

  /// Lists `directory` without following symbolic links.
  static func list(_ directory: String) throws(ContainerdReadError) -> [SnapshotDirectoryEntry] {
    let names: [String]
    do {
      names = try FileManager.default.contentsOfDirectory(atPath: directory)
    } catch {
      throw ContainerdReadError(
        path: directory, message: "failed to list the snapshot directories: \(error)")
    }
    return names.sorted().compactMap { name in
      var status = stat()
      guard lstat(directory + "/" + name, &status) == 0 else { return nil }
      let seconds = Double(status.st_mtim.tv_sec) + Double(status.st_mtim.tv_nsec) / 1e9
      return SnapshotDirectoryEntry(
        name: name, isDirectory: status.st_mode & S_IFMT == S_IFDIR,
        modifiedAt: Date(timeIntervalSince1970: seconds))
    }
  }
}
