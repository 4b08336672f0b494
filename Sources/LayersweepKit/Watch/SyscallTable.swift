/// System call numbers whose arguments point at a file: on x86_64 and aarch64, from the
/// kernel's `arch/x86/entry/syscalls/syscall_64.tbl` and `include/uapi/asm-generic/unistd.h`.
enum SyscallTable {
  #if arch(x86_64)
    /// Calls whose first argument is a file descriptor.
    static let descriptorCalls: [Int: String] = [
      0: "read", 1: "write", 5: "fstat", 17: "pread64", 18: "pwrite64", 19: "readv",
      20: "writev", 72: "fcntl", 73: "flock", 74: "fsync", 75: "fdatasync", 77: "ftruncate",
      78: "getdents", 81: "fchdir", 91: "fchmod", 93: "fchown", 138: "fstatfs",
      217: "getdents64", 277: "sync_file_range", 285: "fallocate", 306: "syncfs",
      326: "copy_file_range",
    ]
    /// Calls whose first argument is a directory descriptor that may be `AT_FDCWD`.
    static let directoryDescriptorCalls: [Int: String] = [
      257: "openat", 258: "mkdirat", 259: "mknodat", 260: "fchownat", 262: "newfstatat",
      263: "unlinkat", 264: "renameat", 265: "linkat", 268: "fchmodat", 269: "faccessat",
      280: "utimensat", 316: "renameat2", 332: "statx", 437: "openat2",
    ]
    /// Calls that take a path resolved against the working directory when relative.
    static let pathCalls: [Int: String] = [
      2: "open", 4: "stat", 6: "lstat", 21: "access", 76: "truncate", 80: "chdir",
      82: "rename", 83: "mkdir", 84: "rmdir", 85: "creat", 86: "link", 87: "unlink",
      88: "symlink", 90: "chmod", 92: "chown", 137: "statfs",
    ]
  #elseif arch(arm64)
    static let descriptorCalls: [Int: String] = [
      63: "read", 64: "write", 80: "fstat", 67: "pread64", 68: "pwrite64", 65: "readv",
      66: "writev", 25: "fcntl", 32: "flock", 82: "fsync", 83: "fdatasync", 46: "ftruncate",
      61: "getdents64", 50: "fchdir", 52: "fchmod", 55: "fchown", 44: "fstatfs",
      84: "sync_file_range", 47: "fallocate", 267: "syncfs", 285: "copy_file_range",
    ]
    static let directoryDescriptorCalls: [Int: String] = [
      56: "openat", 34: "mkdirat", 33: "mknodat", 54: "fchownat", 79: "newfstatat",
      35: "unlinkat", 38: "renameat", 37: "linkat", 53: "fchmodat", 48: "faccessat",
      88: "utimensat", 276: "renameat2", 291: "statx", 437: "openat2",
    ]
    static let pathCalls: [Int: String] = [43: "statfs"]
  #else
    static let descriptorCalls: [Int: String] = [:]
    static let directoryDescriptorCalls: [Int: String] = [:]
    static let pathCalls: [Int: String] = [:]
  #endif

  static func name(of number: Int) -> String? {
    descriptorCalls[number] ?? directoryDescriptorCalls[number] ?? pathCalls[number]
  }

  /// Returns whether the call's first argument is a descriptor of the file it works on: a
  /// descriptor call, or an `*at` call given a real directory descriptor.
  static func takesDescriptor(_ number: Int) -> Bool {
    descriptorCalls[number] != nil || directoryDescriptorCalls[number] != nil
  }

  /// Returns whether the call may resolve a path against the working directory.
  static func resolvesFromWorkingDirectory(_ call: SyscallSnapshot) -> Bool {
    if pathCalls[call.number] != nil { return true }
    guard directoryDescriptorCalls[call.number] != nil else { return false }
    return call.firstArgumentAsInt32 == SyscallSnapshot.currentDirectoryDescriptor
  }
}
