extension MountEntry {
  /// The overlay lower directories, uppermost first, from `lowerdir=` (and from the
  /// `lowerdir+=` and `datadir+=` options of newer kernels). Entries stay as the kernel shows
  /// them, so Docker's relative `l/<id>` form stays relative, and ``lowerDirs(relativeTo:)``
  /// resolves it.
  /// Empty for mounts without such options.
  public var lowerDirs: [String] {
    var directories: [String] = []
    for option in overlayOptions {
      switch option.key {
      case "lowerdir":
        directories += Self.splitLowerDirList(option.value ?? "")
      case "lowerdir+", "datadir+":
        directories += [option.value ?? ""].filter { !$0.isEmpty }
      default:
        continue
      }
    }
    return directories
  }

  /// Resolves relative lower directories against `base`, the directory the
  /// mounting process had as its working directory. Docker's overlay2 driver changes into
  /// its root (such as `/var/lib/docker/overlay2`) and passes `l/<id>` entries when the
  /// absolute list would not fit in one page of mount data.
  public func lowerDirs(relativeTo base: String) -> [String] {
    let prefix = base.hasSuffix("/") ? base : base + "/"
    return lowerDirs.map { $0.hasPrefix("/") ? $0 : prefix + $0 }
  }

  /// The overlay `upperdir=` value, or nil when the mount has none (a read-only overlay).
  public var upperDir: String? {
    overlayOptions.last(where: { $0.key == "upperdir" })?.value
  }

  /// The overlay `workdir=` value, or nil when the mount has none.
  public var workDir: String? {
    overlayOptions.last(where: { $0.key == "workdir" })?.value
  }

  /// The superblock options split at commas into key and value.
  ///
  /// The kernel escapes a comma inside a path as `\054`, but libmount decodes it, so a
  /// comma in `fsOptions` may belong to a path. A segment therefore starts a new option only
  /// when its key is one the overlay filesystem or the kernel prints, and any other segment
  /// is joined to the value before it.
  /// NOTE: a directory name containing a comma followed by a known key, such as
  /// `/a,upperdir=b`, is still split wrongly, because the decoded options cannot tell it apart.
  var overlayOptions: [(key: String, value: String?)] {
    var options: [(key: String, value: String?)] = []
    for segment in fsOptions.split(separator: ",", omittingEmptySubsequences: false) {
      let parts = segment.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
      let key = String(parts[0])
      if Self.overlayOptionKeys.contains(key) || options.isEmpty {
        options.append((key, parts.count > 1 ? String(parts[1]) : nil))
      } else if let previous = options.last?.value {
        options[options.count - 1].value = previous + "," + segment
      }
    }
    return options
  }

  /// Keys the kernel prints for an overlay superblock: the overlay options of Linux 6.x
  /// (`fs/overlayfs/params.c`), `rw`/`ro`, and the SELinux mount options.
  static let overlayOptionKeys: Set<String> = [
    "rw", "ro", "lowerdir", "lowerdir+", "datadir+", "upperdir", "workdir",
    "default_permissions", "redirect_dir", "index", "uuid", "nfs_export", "xino", "metacopy",
    "volatile", "userxattr", "verity", "seclabel", "context", "fscontext", "defcontext",
    "rootcontext",
  ]

  /// Splits a `lowerdir=` list at unescaped colons. A backslash makes the next character
  /// literal (overlayfs's own escape for `:` and `\` in paths), and the empty entry of a
  /// `::` separator before data-only layers is dropped.
  static func splitLowerDirList(_ list: String) -> [String] {
    var directories: [String] = []
    var current = ""
    var isEscaped = false
    for character in list {
      if isEscaped {
        current.append(character)
        isEscaped = false
      } else if character == "\\" {
        isEscaped = true
      } else if character == ":" {
        directories.append(current)
        current = ""
      } else {
        current.append(character)
      }
    }
    directories.append(current)
    return directories.filter { !$0.isEmpty }
  }
}
