import Foundation

/// A directory laid out like procfs, built under a temporary directory for one test.
struct FakeProcTree {
  let root: String
  var proc: String { root + "/proc" }

  init() throws {
    root = try CollectFixtures.makeTemporaryDirectory()
  }

  func remove() {
    try? FileManager.default.removeItem(atPath: root)
  }

  /// Writes the files of one process. A nil `namespace` leaves out `ns/mnt`, as for zombies.
  func addProcess(
    pid: Int32, command: String = "sleep", state: String = "S", parentPID: Int32 = 1,
    startTicks: UInt64 = 1000, arguments: [String] = ["sleep", "600"],
    cgroup: String = "0::/user.slice\n", namespace: UInt64? = 4_026_531_840,
    mountinfo: String? = nil
  ) throws {
    let directory = "\(proc)/\(pid)"
    let fields = "\(state) \(parentPID) 1 1 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 \(startTicks) 0 0"
    try CollectFixtures.write("\(pid) (\(command)) \(fields)\n", to: directory + "/stat")
    let cmdline = arguments.map { $0 + "\0" }.joined()
    try CollectFixtures.write(cmdline, to: directory + "/cmdline")
    try CollectFixtures.write(cgroup, to: directory + "/cgroup")
    if let mountinfo {
      try CollectFixtures.write(mountinfo, to: directory + "/mountinfo")
    }
    if let namespace {
      try FileManager.default.createDirectory(
        atPath: directory + "/ns", withIntermediateDirectories: true)
      try FileManager.default.createSymbolicLink(
        atPath: directory + "/ns/mnt", withDestinationPath: "mnt:[\(namespace)]")
    }
  }
}
