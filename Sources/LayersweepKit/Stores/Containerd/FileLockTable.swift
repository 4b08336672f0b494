import Foundation

/// The kernel's table of file locks, `/proc/locks`, used to tell whether a running process
/// holds a database file without taking a lock on it.
enum FileLockTable {
  /// Returns the pids that hold (not merely wait for) a lock on `path`; empty when none does
  /// or the table cannot be read.
  ///
  /// Each line reads `<n>: <FLOCK|POSIX|OFDLCK> <ADVISORY|MANDATORY> <READ|WRITE> <pid>
  /// <major>:<minor>:<inode> <start> <end>`, with the device numbers in hex
  /// (`fs/locks.c` `lock_get_status`); waiters carry `->` after the number.
  static func holders(of path: String, procRoot: String) -> [Int32] {
    var status = stat()
    guard stat(path, &status) == 0,
      let table = try? String(contentsOfFile: procRoot + "/locks", encoding: .utf8)
    else { return [] }
    let device = UInt64(status.st_dev)
    let identity = String(
      format: "%02x:%02x:%llu", major(device), minor(device), UInt64(status.st_ino))
    return table.split(separator: "\n").compactMap { line in
      let fields = line.split(separator: " ")
      guard fields.count >= 6, fields[1] != "->", fields[5] == identity else { return nil }
      return Int32(fields[4])
    }
  }

  private static func major(_ device: UInt64) -> UInt64 {
    ((device >> 8) & 0xFFF) | ((device >> 32) & ~UInt64(0xFFF))
  }

  private static func minor(_ device: UInt64) -> UInt64 {
    (device & 0xFF) | ((device >> 12) & ~UInt64(0xFF))
  }
}
