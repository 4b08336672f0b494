import LibMount

/// Reads mountinfo tables through libmount.
public enum MountInfoReader {
  /// Parses the mountinfo file at `path`, such as `/proc/self/mountinfo`, in file order.
  ///
  /// libmount decodes the kernel's octal escapes (`\040` for a space, `\011` for a tab,
  /// `\134` for a backslash) in the root, target, source and option fields.
  ///
  /// - Throws: `MountTableError` naming the file, and for malformed lines their numbers.
  public static func read(path: String) throws -> [MountEntry] {
    let table = try MountTable(mountinfoPath: path)
    return try table.entries().map(MountEntry.init(tableEntry:))
  }

  /// Parses the mount table of the namespace layersweep runs in, `<proc>/self/mountinfo`.
  public static func readHostTable(proc: String = "/proc") throws -> [MountEntry] {
    try read(path: "\(proc)/self/mountinfo")
  }

  /// Parses the mountinfo file at `path`; the name clean's callers use.
  public static func readTable(path: String) throws -> [MountEntry] {
    try read(path: path)
  }
}

extension MountEntry {
  init(tableEntry entry: MountTableEntry) {
    self.init(
      mountID: entry.id, parentID: entry.parentID, device: entry.device.description,
      root: entry.root, target: entry.target, fsType: entry.fsType, source: entry.source,
      vfsOptions: entry.vfsOptions, fsOptions: entry.fsOptions,
      optionalFields: entry.optionalFields)
  }
}
