import Foundation

/// An aufs mount and its branches, read from the mount table and the aufs sysfs tree.
struct AufsMount: Equatable {
  /// One branch of the union: a directory and its permission, such as `rw` or `ro+wh`.
  struct Branch: Equatable {
    var path: String
    var permission: String
  }

  var target: String
  /// The superblock id from the `si=<hex>` mount option.
  var superblockID: String?
  /// The branches, uppermost first; nil when neither sysfs nor the options list them.
  var branches: [Branch]?

  /// Builds the mount from a mountinfo entry of type `aufs`, reading the branches from
  /// `<sysfsRoot>/si_<hex>/br<N>`, or from the `br:` option when the module was loaded
  /// with `brs=0` and lists them in the mount options instead.
  init?(_ entry: MountEntry, sysfsRoot: String) {
    guard entry.fsType == "aufs" else { return nil }
    target = entry.target
    let options = (entry.fsOptions + "," + entry.vfsOptions).split(separator: ",").map(String.init)
    superblockID = options.first { $0.hasPrefix("si=") }.map { String($0.dropFirst(3)) }
    branches = superblockID.flatMap { Self.sysfsBranches(sysfsRoot + "/si_" + $0) }
    if branches == nil, let list = options.first(where: { $0.hasPrefix("br:") }) {
      branches = list.dropFirst(3).split(separator: ":").map { Self.branch(String($0)) }
    }
  }

  /// Reads `br0`, `br1`, ... until the first missing file. Each contains `<path>=<permission>`.
  /// NOTE: aufs escapes unusual characters in the path as octal, which is not decoded; the
  /// paths Docker creates contain none.
  /// Returns nil when `br0` is
  /// missing, which means the superblock is gone or sysfs lists no branches.
  private static func sysfsBranches(_ directory: String) -> [Branch]? {
    var branches: [Branch] = []
    // The largest AUFS_BRANCH_MAX in aufs_type.h is 32767, so no mount has more branch files.
    for index in 0..<32_768 {
      guard let data = try? RegularFile.read("\(directory)/br\(index)", limit: 4_096) else {
        break
      }
      let line = String(decoding: data, as: UTF8.self).trimmingCharacters(
        in: .whitespacesAndNewlines)
      branches.append(branch(line))
    }
    return branches.isEmpty ? nil : branches
  }

  /// Parses `<path>=<permission>`; the last `=` separates them because paths may contain `=`.
  private static func branch(_ text: String) -> Branch {
    guard let separator = text.lastIndex(of: "=") else { return Branch(path: text, permission: "") }
    return Branch(
      path: String(text[..<separator]), permission: String(text[text.index(after: separator)...]))
  }
}
