import CLinux
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Space used by a directory tree, counted the way `du` counts it.
public struct DiskUsage: Sendable, Equatable {
  /// Bytes allocated on disk (`st_blocks * 512`), each hard-linked inode once.
  public var allocatedBytes: Int64 = 0
  /// Apparent sizes (`st_size`) summed, each hard-linked inode once, as `du -sb` prints.
  public var apparentBytes: Int64 = 0
  /// Inodes counted, directories included.
  public var inodeCount: Int = 0
  /// Entries that could not be read (stat or open failed); their contents are not counted.
  public var unreadableEntries: Int = 0

  public init() {}

  /// Returns the allocated bytes of the tree at `path`, or nil when `path` itself cannot be
  /// examined.
  public static func allocatedBytesOfTree(at path: String) -> Int64? {
    try? measure(path).allocatedBytes
  }

  /// Measures the tree at `path` with `threads` workers, one top-level entry at a time.
  ///
  /// Walks with `openat`/`statx`/`getdents64` relative to directory descriptors, never
  /// follows symbolic links (a link counts as itself) and does not descend into
  /// directories on another filesystem (`st_dev` differs from the root's). Throws only
  /// when `path` itself cannot be examined.
  public static func measure(
    _ path: String, threads: Int = ProcessInfo.processInfo.activeProcessorCount
  ) throws(DiskUsageError) -> DiskUsage {
    var rootStat = stat()
    guard fstatat(AT_FDCWD, path, &rootStat, AT_SYMLINK_NOFOLLOW) == 0 else {
      throw DiskUsageError(path: path, operation: "lstat", errno: errno)
    }
    var root = DiskUsageAccumulator()
    root.add(rootStat)
    guard (rootStat.st_mode & S_IFMT) == S_IFDIR else { return root.total }

    let rootFD = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
    guard rootFD >= 0 else {
      throw DiskUsageError(path: path, operation: "open", errno: errno)
    }
    defer { close(rootFD) }
    let names = DirectoryNames.read(fd: rootFD, unreadable: &root.unreadable)
    let parts = measureEntries(names, in: rootFD, device: rootStat.st_dev, threads: threads)
    return DiskUsageAccumulator.merged([root] + parts).total
  }

  /// Measures each top-level entry on one of `threads` workers, which take the next
  /// unclaimed entry until none is left.
  private static func measureEntries(
    _ names: [[CChar]], in rootFD: Int32, device: dev_t, threads: Int
  ) -> [DiskUsageAccumulator] {
    let workerCount = max(1, min(threads, names.count))
    let results = DiskUsageResults(count: workerCount)
    let nextIndex = WorkItemCounter()
    DispatchQueue.concurrentPerform(iterations: workerCount) { worker in
      var accumulator = DiskUsageAccumulator()
      while let index = nextIndex.claim(below: names.count) {
        names[index].withUnsafeBufferPointer { name in
          guard let base = name.baseAddress else { return }
          accumulator.measureEntry(base, in: rootFD, device: device)
        }
      }
      results.store(accumulator, at: worker)
    }
    return results.values
  }
}

/// A failure to examine the root of a disk usage walk.
public struct DiskUsageError: Error, Sendable, Equatable, CustomStringConvertible {
  public var path: String
  public var operation: String
  public var errno: Int32

  public var description: String {
    "\(operation) \(path) failed: \(String(cString: strerror(errno)))"
  }
}

/// Per-worker totals. Inodes with more than one link are kept by (device, inode) and
/// counted once when the workers' results are merged.
struct DiskUsageAccumulator {
  struct InodeKey: Hashable {
    var device: UInt64
    var inode: UInt64
  }

  var allocated: Int64 = 0
  var apparent: Int64 = 0
  var count = 0
  var unreadable = 0
  var linked: [InodeKey: (allocated: Int64, apparent: Int64)] = [:]
  /// This worker's directory buffers.
  let reader = DirectoryEntryReader()

  mutating func add(_ info: stat) {
    let isDirectory = (info.st_mode & S_IFMT) == S_IFDIR
    let sizes = (allocated: Int64(info.st_blocks) * 512, apparent: Int64(info.st_size))
    if !isDirectory && info.st_nlink > 1 {
      let key = InodeKey(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
      linked[key] = sizes
      return
    }
    allocated += sizes.allocated
    apparent += sizes.apparent
    count += 1
  }

  /// Counts the entry `name` of the directory `parentFD`, and its contents when it is a
  /// directory on `device`.
  mutating func measureEntry(
    _ name: UnsafePointer<CChar>, in parentFD: Int32, device: dev_t, depth: Int = 0
  ) {
    var info = stat()
    // A hung NFS or FUSE mount inside the tree would block a plain fstatat on its mount point.
    guard clinux_lstat_cached(parentFD, name, &info) == 0 else {
      unreadable += 1
      return
    }
    guard (info.st_mode & S_IFMT) == S_IFDIR else {
      add(info)
      return
    }
    guard info.st_dev == device else { return }
    add(info)
    let childFD = openat(parentFD, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
    guard childFD >= 0 else {
      unreadable += 1
      return
    }
    measureDirectory(childFD, device: device, depth: depth)
  }

  /// Counts everything below the open directory `fd`, `depth` levels below a top-level
  /// entry, and closes it.
  mutating func measureDirectory(_ fd: Int32, device: dev_t, depth: Int) {
    let reader = self.reader
    let listed = reader.forEachName(in: fd, depth: depth) { name in
      measureEntry(name, in: fd, device: device, depth: depth + 1)
    }
    guard !listed else {
      close(fd)
      return
    }
    measureDirectoryWithReaddir(fd, device: device, depth: depth)
  }

  /// Does what `measureDirectory` does through `fdopendir` and `readdir`, for C libraries
  /// without `getdents64`.
  private mutating func measureDirectoryWithReaddir(_ fd: Int32, device: dev_t, depth: Int) {
    guard let stream = fdopendir(fd) else {
      close(fd)
      unreadable += 1
      return
    }
    defer { closedir(stream) }
    let streamFD = dirfd(stream)
    while let entry = readdir(stream) {
      withUnsafePointer(to: &entry.pointee.d_name) { raw in
        raw.withMemoryRebound(to: CChar.self, capacity: 256) { name in
          guard !DirectoryNames.isDotOrDotDot(name) else { return }
          measureEntry(name, in: streamFD, device: device, depth: depth + 1)
        }
      }
    }
  }

  var total: DiskUsage {
    var usage = DiskUsage()
    usage.allocatedBytes = allocated
    usage.apparentBytes = apparent
    usage.inodeCount = count
    usage.unreadableEntries = unreadable
    return usage
  }

  static func merged(_ parts: [DiskUsageAccumulator]) -> DiskUsageAccumulator {
    var result = DiskUsageAccumulator()
    var linked: [InodeKey: (allocated: Int64, apparent: Int64)] = [:]
    for part in parts {
      result.allocated += part.allocated
      result.apparent += part.apparent
      result.count += part.count
      result.unreadable += part.unreadable
      linked.merge(part.linked) { first, _ in first }
    }
    for sizes in linked.values {
      result.allocated += sizes.allocated
      result.apparent += sizes.apparent
    }
    result.count += linked.count
    return result
  }
}

/// Reading entry names from a directory descriptor.
enum DirectoryNames {
  /// Returns the names in the open directory `fd` without `.` and `..`, as C strings.
  /// Leaves `fd` open.
  static func read(fd: Int32, unreadable: inout Int) -> [[CChar]] {
    let copy = dup(fd)
    guard copy >= 0, let stream = fdopendir(copy) else {
      if copy >= 0 { close(copy) }
      unreadable += 1
      return []
    }
    defer { closedir(stream) }
    var names: [[CChar]] = []
    while let entry = readdir(stream) {
      withUnsafePointer(to: &entry.pointee.d_name) { raw in
        raw.withMemoryRebound(to: CChar.self, capacity: 256) { name in
          guard !isDotOrDotDot(name) else { return }
          names.append(Array(UnsafeBufferPointer(start: name, count: strlen(name) + 1)))
        }
      }
    }
    return names
  }

  static func isDotOrDotDot(_ name: UnsafePointer<CChar>) -> Bool {
    guard name[0] == 0x2E else { return false }
    return name[1] == 0 || (name[1] == 0x2E && name[2] == 0)
  }
}

/// Hands out indices to workers, each exactly once.
final class WorkItemCounter: @unchecked Sendable {
  private let lock = NSLock()
  private var next = 0

  func claim(below limit: Int) -> Int? {
    lock.withLock {
      guard next < limit else { return nil }
      defer { next += 1 }
      return next
    }
  }
}

/// One result slot per worker.
final class DiskUsageResults: @unchecked Sendable {
  private let lock = NSLock()
  private var slots: [DiskUsageAccumulator]

  init(count: Int) {
    slots = Array(repeating: DiskUsageAccumulator(), count: count)
  }

  func store(_ value: DiskUsageAccumulator, at index: Int) {
    lock.withLock { slots[index] = value }
  }

  var values: [DiskUsageAccumulator] { lock.withLock { slots } }
}
