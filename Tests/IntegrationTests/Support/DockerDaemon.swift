import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// A private dockerd (Docker 20.10, overlay2) on its own data root, exec root, socket, pidfile
/// and cgroup parent, all under a fresh directory in `/tmp`. The daemon starts its own
/// containerd under the exec root. Nothing here touches the host's Docker.
final class DockerDaemon: @unchecked Sendable {
  static let dockerdPath = "/usr/sbin/dockerd"
  static let dockerPath = "/usr/bin/docker"

  /// The sandbox directory that contains every file of this daemon.
  let sandbox: String
  /// The cgroup parent relative to each hierarchy, such as `lsw-3f9a0c1d2b4e`.
  let cgroupParent: String
  var dataRoot: String { "\(sandbox)/root" }
  var execRoot: String { "\(sandbox)/exec" }
  var socketPath: String { "\(sandbox)/docker.sock" }
  var pidFile: String { "\(sandbox)/docker.pid" }
  var overlayRoot: String { "\(dataRoot)/overlay2" }
  var layerdb: String { "\(dataRoot)/image/overlay2/layerdb" }

  private var process: Subprocess?
  private var startCount = 0
  private var holders: [Subprocess] = []
  private var immutablePaths: [String] = []

  /// Descriptor of `<sandbox>/lock`, held with `flock` for the life of this object so a
  /// sweep in another test process can tell a live sandbox from an abandoned one.
  private let lockDescriptor: Int32

  /// Creates the sandbox directory after removing sandboxes abandoned by test processes
  /// that died; the daemon is not started yet.
  init() throws {
    SandboxSweep.removeAbandoned()
    var template = Array("\(SandboxSweep.prefix)XXXXXX".utf8CString)
    guard let created = mkdtemp(&template) else {
      throw CommandError(command: ["mkdtemp"], message: "failed: errno \(errno)")
    }
    sandbox = String(cString: created)
    lockDescriptor = try Descriptor.open("\(sandbox)/lock", flags: O_RDWR | O_CREAT)
    flock(lockDescriptor, LOCK_EX)
    cgroupParent = "lsw-" + String(UInt64.random(in: 0...UInt64.max), radix: 16)
    for directory in [dataRoot, execRoot, "\(sandbox)/cli"] {
      try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }
    try "{}\n".write(toFile: "\(sandbox)/daemon.json", atomically: true, encoding: .utf8)
    try cgroupParent.write(toFile: "\(sandbox)/cgroup-parent", atomically: true, encoding: .utf8)
  }

  /// Whether this machine can run the fixture: root, dockerd and the docker CLI installed.
  static var isAvailable: Bool {
    getuid() == 0 && FileManager.default.isExecutableFile(atPath: dockerdPath)
      && FileManager.default.isExecutableFile(atPath: dockerPath)
  }

  /// Runs `body` with a started daemon and always tears the sandbox down afterwards, also
  /// when `body` throws or an expectation fails.
  static func with<T>(_ body: (DockerDaemon) async throws -> T) async throws -> T {
    let daemon = try DockerDaemon()
    defer { daemon.tearDown() }
    try daemon.start()
    return try await body(daemon)
  }

  // MARK: - Lifecycle

  /// Starts dockerd (again, after a stop or crash) and waits for `/_ping` to return OK.
  func start(timeout: TimeInterval = 60) throws {
    // A pidfile of a killed daemon may name a zombie (the host's init reaps it late) or a
    // reused pid, and dockerd would then refuse to start or skip starting containerd.
    for file in [pidFile, "\(execRoot)/containerd/containerd.pid"] {
      if let pid = recordedPID(file), !SandboxCleanup.isAlive(pid) {
        try? FileManager.default.removeItem(atPath: file)
      }
    }
    startCount += 1
    process = try Command.spawn(
      daemonArguments, logPath: "\(sandbox)/dockerd-\(startCount).log")
    let deadline = Date().addingTimeInterval(timeout)
    while !DockerAPI.ping(socketPath: socketPath, timeout: 2) {
      guard Date() < deadline, process?.isRunning == true else {
        process?.wait(timeout: 0)
        let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        let tail = log.split(separator: "\n").suffix(5).joined(separator: "\n")
        throw CommandError(
          command: daemonArguments, message: "no /_ping answer; log ends:\n\(tail)")
      }
      usleep(100_000)
    }
  }

  private var logPath: String { "\(sandbox)/dockerd-\(startCount).log" }

  private var daemonArguments: [String] {
    [
      Self.dockerdPath, "--config-file", "\(sandbox)/daemon.json",
      "--data-root", dataRoot, "--exec-root", execRoot, "--host", "unix://\(socketPath)",
      "--pidfile", pidFile, "--storage-driver=overlay2", "--bridge=none", "--iptables=false",
      "--ip6tables=false", "--ip-masq=false", "--userland-proxy=false", "--shutdown-timeout=1",
      "--exec-opt", "native.cgroupdriver=cgroupfs", "--cgroup-parent=/\(cgroupParent)",
    ]
  }

  /// The pid of the running dockerd, when one runs.
  var pid: pid_t? {
    guard let process, process.isRunning else { return nil }
    return process.pid
  }

  private func recordedPID(_ file: String) -> pid_t? {
    guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { return nil }
    return pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines))
  }

  /// Stops dockerd with SIGTERM, waits up to `timeout` and sends SIGKILL if it is still
  /// there. Then kills the containerd and shims it started, found by the exec root in their
  /// command lines.
  func stop(timeout: TimeInterval = 30) {
    if let process, process.isRunning {
      kill(process.pid, SIGTERM)
      process.wait(timeout: timeout)
    }
    process = nil
    SandboxCleanup.killAndWait(SandboxCleanup.processes(mentioning: execRoot))
  }

  /// Kills dockerd and its containerd with SIGKILL, as an OOM kill or power loss of the
  /// daemon would, and leaves the runc shims and containers running.
  func crash() {
    guard let process, process.isRunning else { return }
    let containerd = SandboxCleanup.children(of: process.pid)
    kill(process.pid, SIGKILL)
    process.wait(timeout: 30)
    self.process = nil
    SandboxCleanup.killAndWait(containerd)
  }

  /// Removes everything the sandbox left: holder processes, the daemon and its children,
  /// mounts (deepest first), cgroups under the unique parent (leaf first), immutable bits
  /// and the directory.
  func tearDown() {
    SandboxCleanup.killAndWait(holders.filter(\.isRunning).map(\.pid))
    holders.forEach { $0.wait(timeout: 10) }
    stop(timeout: 20)
    SandboxCleanup.killAndWait(SandboxCleanup.processes(mentioning: sandbox))
    Self.removeShimSockets(sandbox: sandbox)
    SandboxCleanup.removeCgroups(relative: cgroupParent)
    SandboxCleanup.unmountAll(under: sandbox)
    SandboxCleanup.removeTree(sandbox, immutablePaths: immutablePaths)
  }

  deinit {
    close(lockDescriptor)
  }

  /// Paths of the sockets that containerd 1.6 runc shims of this daemon's containers
  /// listen on: `/run/containerd/s/` plus the SHA-256 of the containerd address, the
  /// namespace `moby` and the container id joined by `/`. A shim killed with SIGKILL
  /// leaves its socket there.
  func shimSocketPaths() -> [String] {
    Self.shimSocketPaths(sandbox: sandbox)
  }

  static func shimSocketPaths(sandbox: String) -> [String] {
    let containers = "\(sandbox)/root/containers"
    let ids = (try? FileManager.default.contentsOfDirectory(atPath: containers)) ?? []
    let address = "\(sandbox)/exec/containerd/containerd.sock"
    return ids.compactMap { id in
      let input = Data("\(address)/moby/\(id)".utf8)
      guard let result = try? Command.run(["/usr/bin/sha256sum"], stdin: input) else {
        return nil
      }
      return "/run/containerd/s/" + (result.stdout.split(separator: " ").first ?? "")
    }
  }

  static func removeShimSockets(sandbox: String) {
    for path in shimSocketPaths(sandbox: sandbox) {
      try? FileManager.default.removeItem(atPath: path)
    }
  }

  /// Records a process the test started, so teardown kills it by pid.
  func adopt(_ holder: Subprocess) {
    holders.append(holder)
  }

  /// Sets the immutable attribute on `path` and records it so teardown clears it.
  func makeImmutable(_ path: String) throws {
    immutablePaths.append(path)
    try Command.run(["/usr/bin/chattr", "+i", path])
  }

  // MARK: - CLI

  /// Runs the docker 20.10 CLI against this daemon and returns its trimmed stdout.
  @discardableResult
  func docker(_ arguments: String..., stdin: Data? = nil, timeout: TimeInterval = 120) throws
    -> String
  {
    try dockerResult(arguments, stdin: stdin, timeout: timeout, check: true).stdout
      .trimmingCharacters(in: .whitespacesAndNewlines)
  }

  /// Runs the docker CLI and returns the whole result without checking the exit status.
  func dockerResult(
    _ arguments: [String], stdin: Data? = nil, timeout: TimeInterval = 120, check: Bool = false
  ) throws -> CommandResult {
    try Command.run(
      [Self.dockerPath, "--host", "unix://\(socketPath)"] + arguments,
      environment: ["DOCKER_CONFIG": "\(sandbox)/cli", "DOCKER_BUILDKIT": "0"],
      stdin: stdin, timeout: timeout, check: check)
  }
}
