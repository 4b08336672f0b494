import Testing

@testable import LayersweepKit

@Suite struct ProcParsingTests {
  @Test func taskStatWithSpacesInCommand() throws {
    let line =
      "4242 (my (odd) cmd) D 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 "
      + "1000 100 18446744073709551615"
    let stat = try #require(TaskStat.parse(line))
    #expect(stat.command == "my (odd) cmd")
    #expect(stat.state == "D")
    #expect(stat.startTicks == 987_654)
  }

  @Test(arguments: ["", "4242 (cmd", "4242 (cmd) D 1 2"])
  func taskStatMalformed(line: String) {
    #expect(TaskStat.parse(line) == nil)
  }

  @Test func syscallWithCurrentDirectory() throws {
    let text = "257 0xffffff9c 0x7ffd1000 0x241 0x1b6 0x0 0x0 0x7ffd0f00 0x7f00aa\n"
    let call = try #require(SyscallSnapshot.parse(text))
    #expect(call.number == 257)
    #expect(call.firstArgumentAsDescriptor == nil)
    #if arch(x86_64)
      #expect(SyscallTable.resolvesFromWorkingDirectory(call))
    #endif
  }

  @Test func syscallWithDescriptor() throws {
    let call = try #require(SyscallSnapshot.parse("74 0x3 0x0 0x0 0x0 0x0 0x0 0x1 0x2"))
    #expect(call.firstArgumentAsDescriptor == 3)
    #if arch(x86_64)
      #expect(SyscallTable.takesDescriptor(74))
      #expect(SyscallTable.name(of: 74) == "fsync")
    #endif
  }

  @Test(arguments: ["running", "-1 0x7ffd 0x7f00", "", "1 0x1 0x2"])
  func syscallNotInCall(text: String) {
    #expect(SyscallSnapshot.parse(text) == nil)
  }

  static let id = String(repeating: "a1", count: 32)

  @Test(arguments: [
    "/system.slice/docker-\(id).scope", "/docker/\(id)", "/machine.slice/libpod-\(id).scope",
    "/kubepods.slice/kubepods-pod1.slice/cri-containerd-\(id).scope",
  ])
  func containerFromCgroup(path: String) {
    #expect(ContainerCgroup.containerID(inCgroupPath: path) == Self.id)
  }

  @Test func noContainerInHostCgroup() {
    #expect(ContainerCgroup.containerID(inCgroupPath: "/user.slice/session-1.scope") == nil)
    #expect(ContainerCgroup.containerID(inCgroupPath: "/docker/\(Self.id)0") == nil)
  }

  @Test func cgroupPathPrefersUnified() {
    let text = "12:memory:/docker/v1\n0::/system.slice/x.scope\n"
    #expect(ContainerCgroup.cgroupPath(fromProcCgroup: text) == "/system.slice/x.scope")
    #expect(ContainerCgroup.cgroupPath(fromProcCgroup: "12:memory:/a\n") == "/a")
    #expect(ContainerCgroup.cgroupPath(fromProcCgroup: "garbage") == nil)
  }
}
