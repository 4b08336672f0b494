import CMount
import Foundation

@testable import LayersweepKit

/// Reads a mountinfo file with libmount, as the host collector does, for tests that build a
/// `HostSnapshot` from `/proc/self/mountinfo` or a checked-in fixture.
enum MountinfoFile {
  static func read(_ path: String) -> [MountEntry] {
    guard let table = mnt_new_table_from_file(path) else { return [] }
    defer { mnt_unref_table(table) }
    guard let iterator = mnt_new_iter(Int32(MNT_ITER_FORWARD)) else { return [] }
    defer { mnt_free_iter(iterator) }
    var entries: [MountEntry] = []
    var filesystem: OpaquePointer?
    while mnt_table_next_fs(table, iterator, &filesystem) == 0, let filesystem {
      entries.append(entry(filesystem))
    }
    return entries
  }

  private static func entry(_ filesystem: OpaquePointer) -> MountEntry {
    let text = { (value: UnsafePointer<CChar>?) in value.map { String(cString: $0) } ?? "" }
    // glibc's gnu_dev_major and gnu_dev_minor, which Swift does not import.
    let device = UInt64(mnt_fs_get_devno(filesystem))
    let major = ((device >> 8) & 0xfff) | ((device >> 32) & ~0xfff)
    let minor = (device & 0xff) | ((device >> 12) & ~0xff)
    return MountEntry(
      mountID: Int(mnt_fs_get_id(filesystem)), parentID: Int(mnt_fs_get_parent_id(filesystem)),
      device: "\(major):\(minor)", root: text(mnt_fs_get_root(filesystem)),
      target: text(mnt_fs_get_target(filesystem)), fsType: text(mnt_fs_get_fstype(filesystem)),
      source: text(mnt_fs_get_source(filesystem)),
      vfsOptions: text(mnt_fs_get_vfs_options(filesystem)),
      fsOptions: text(mnt_fs_get_fs_options(filesystem)),
      optionalFields: text(mnt_fs_get_optional_fields(filesystem)))
  }
}
