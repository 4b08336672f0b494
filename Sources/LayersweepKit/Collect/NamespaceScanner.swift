import Glibc
import LibMount

/// Groups processes by mount namespace and reads each namespace's mount table once.
public struct NamespaceScanner: Sendable {
  /// The procfs mount, such as `/proc`, or a fixture tree laid out like one.
  public var procPath: String

  public init(procPath: String = "/proc") {
    self.procPath = procPath
  }

  /// Returns every mount namespace that `processes` live in, the host's first and the rest
  /// by ascending inode.
  ///
  /// The host namespace is the one of `<proc>/self/ns/mnt`, the namespace layersweep runs
  /// in. A fixture tree has no `self`, so there `<proc>/1/ns/mnt` is used instead. Each
  /// other namespace's table comes from the `mountinfo` of its first pid (ascending) whose
  /// file is readable, and pids that exit meanwhile are skipped. A namespace whose pids have
  /// all exited is left out, and one whose table cannot be read for another reason is left
  /// out and described in `errors`.
  ///
  /// NOTE: `mountinfo` paths are relative to the reading process's root, so a chrooted first
  /// pid shows its namespace's mount points relative to its chroot.
  ///
  /// - Throws: `SystemCallError` or `MountTableError` when the host namespace or its mount
  ///   table cannot be read, because no audit is possible without them.
  public func scan(processes: [Int32: HostProcess], errors: inout [AuditError]) throws
    -> [MountNamespace]
  {
    let (hostInode, hostEntry) = try readHostNamespace()
    var pidsByInode: [UInt64: [Int32]] = [:]
    for process in processes.values {
      if let inode = process.mountNamespace {
        pidsByInode[inode, default: []].append(process.pid)
      }
    }

    let hostPIDs = (pidsByInode.removeValue(forKey: hostInode) ?? []).sorted()
    let hostMounts = try readHostMounts(pids: hostPIDs, hostEntry: hostEntry)
    var namespaces = [
      MountNamespace(inode: hostInode, pids: hostPIDs, mounts: hostMounts, isHost: true)
    ]
    for inode in pidsByInode.keys.sorted() {
      let pids = (pidsByInode[inode] ?? []).sorted()
      if let mounts = readMounts(pids: pids, inode: inode, errors: &errors) {
        namespaces.append(MountNamespace(inode: inode, pids: pids, mounts: mounts, isHost: false))
      }
    }
    return namespaces
  }

  /// Returns the host namespace inode and the `<proc>` entry (`self` or `1`) it came from.
  func readHostNamespace() throws -> (inode: UInt64, entry: String) {
    var firstError: SystemCallError?
    for entry in ["self", "1"] {
      let path = "\(procPath)/\(entry)/ns/mnt"
      do {
        let link = try FileDescriptor.readLink(path, displayPath: path)
        if let inode = ProcReader.parseNamespaceLink(link, type: "mnt") {
          return (inode, entry)
        }
        throw ProcFileError(path: path, reason: "link target '\(link)' is not mnt:[inode]")
      } catch let error as SystemCallError where error.errno == ENOENT {
        firstError = firstError ?? error
      }
    }
    throw firstError ?? SystemCallError(call: "readlinkat", path: procPath, errno: ENOENT)
  }

  /// Reads the host table from `<proc>/<hostEntry>/mountinfo`, whose paths are relative to
  /// layersweep's own root directory, and falls back to the member pids only if that fails.
  private func readHostMounts(pids: [Int32], hostEntry: String) throws -> [MountEntry] {
    let path = "\(procPath)/\(hostEntry)/mountinfo"
    do {
      return try MountInfoReader.read(path: path)
    } catch let error as MountTableError where error.errno != nil {
      for pid in pids {
        if let mounts = try readMountsIfPresent(entry: String(pid)) {
          return mounts
        }
      }
      throw error
    }
  }

  private func readMounts(pids: [Int32], inode: UInt64, errors: inout [AuditError])
    -> [MountEntry]?
  {
    for pid in pids {
      do {
        if let mounts = try readMountsIfPresent(entry: String(pid)) {
          return mounts
        }
      } catch {
        let path = "\(procPath)/\(pid)/mountinfo"
        errors.append(
          AuditError(store: "mountinfo", path: path, message: "mount namespace \(inode): \(error)"))
        return nil
      }
    }
    return nil
  }

  /// Reads `<proc>/<entry>/mountinfo`, or returns nil when the process has exited: the file
  /// is gone (`ENOENT`, `ESRCH`) or the kernel refuses it for a dead task (`EINVAL`).
  private func readMountsIfPresent(entry: String) throws -> [MountEntry]? {
    do {
      return try MountInfoReader.read(path: "\(procPath)/\(entry)/mountinfo")
    } catch let error as MountTableError {
      if let number = error.errno, [ENOENT, ESRCH, EINVAL].contains(number) {
        return nil
      }
      throw error
    }
  }
}
