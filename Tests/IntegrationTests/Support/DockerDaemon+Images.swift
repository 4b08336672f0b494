import Foundation

/// Image tags every integration test can rely on after `prepareImages()`.
enum TestImage {
  /// The busybox rootfs from `docker import`: one layer.
  static let busybox = "lsw/busybox:1"
  /// Built on busybox with `docker build`: three more layers and `sleep 3600` as command.
  static let multiLayer = "lsw/multi:1"
}

extension DockerDaemon {
  /// Imports the busybox rootfs and builds the multi-layer image on top. No registry is
  /// needed, so this works without a network.
  func prepareImages() throws {
    let tarball = try BusyboxRootfs.tarball()
    try docker("import", "--change", "CMD [\"sh\"]", tarball, TestImage.busybox)
    try build(
      TestImage.multiLayer,
      dockerfile: """
        FROM \(TestImage.busybox)
        RUN echo one > /one
        RUN mkdir /data && echo two > /data/two
        COPY payload /payload
        CMD ["sleep", "3600"]
        """)
  }

  /// Builds `tag` from `dockerfile` with the legacy builder. The context contains one file
  /// named `payload`.
  func build(_ tag: String, dockerfile: String) throws {
    let context = "\(sandbox)/context-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: context, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: context) }
    try dockerfile.write(toFile: "\(context)/Dockerfile", atomically: true, encoding: .utf8)
    try "payload\n".write(toFile: "\(context)/payload", atomically: true, encoding: .utf8)
    try docker("build", "--quiet", "--network", "none", "--tag", tag, context)
  }

  /// Returns the overlay2 directory name (cache ID) of the top layer of `image`.
  func topLayerCacheID(of image: String) throws -> String {
    let upper = try docker("image", "inspect", "--format", "{{.GraphDriver.Data.UpperDir}}", image)
    return URL(fileURLWithPath: upper).deletingLastPathComponent().lastPathComponent
  }

  /// Returns the layerdb chain ID whose `cache-id` file names `cacheID`.
  func chainID(forCacheID cacheID: String) throws -> String {
    let directory = "\(layerdb)/sha256"
    for entry in try FileManager.default.contentsOfDirectory(atPath: directory) {
      let file = "\(directory)/\(entry)/cache-id"
      if (try? String(contentsOfFile: file, encoding: .utf8)) == cacheID { return entry }
    }
    throw CommandError(command: ["chainID"], message: "no layerdb entry has cache-id \(cacheID)")
  }

  /// Returns the short link name (`overlay2/<id>/link`) of a layer directory.
  func linkName(ofLayer cacheID: String) throws -> String {
    try String(contentsOfFile: "\(overlayRoot)/\(cacheID)/link", encoding: .utf8)
      .trimmingCharacters(in: .whitespacesAndNewlines)
  }

  /// Returns the `mount-id` recorded in layerdb for container `containerID`.
  func mountID(ofContainer containerID: String) throws -> String {
    try String(contentsOfFile: "\(layerdb)/mounts/\(containerID)/mount-id", encoding: .utf8)
      .trimmingCharacters(in: .whitespacesAndNewlines)
  }

  /// Returns the host pid of a running container's init process.
  func initPID(ofContainer containerID: String) throws -> pid_t {
    let text = try docker("inspect", "--format", "{{.State.Pid}}", containerID)
    guard let pid = pid_t(text), pid > 0 else {
      throw CommandError(command: ["initPID"], message: "container \(containerID) has pid \(text)")
    }
    return pid
  }
}

/// A rootfs tarball made from the static busybox of Debian's busybox-static, with one
/// symlink per applet. Built once and cached under the package's `.build` directory.
enum BusyboxRootfs {
  static let busyboxPath = "/bin/busybox"
  private static let lock = NSLock()

  /// Returns the path of the cached tarball and builds it on first use.
  static func tarball() throws -> String {
    try lock.withLock {
      let cache = packageRoot + "/.build/lsw-integration"
      let tarball = "\(cache)/busybox-rootfs.tar"
      if FileManager.default.fileExists(atPath: tarball) { return tarball }
      try FileManager.default.createDirectory(atPath: cache, withIntermediateDirectories: true)
      let rootfs = "\(cache)/rootfs-\(getpid())"
      defer { try? FileManager.default.removeItem(atPath: rootfs) }
      try populate(rootfs)
      try Command.run(["/usr/bin/tar", "-C", rootfs, "-cf", "\(tarball).partial", "."])
      try FileManager.default.moveItem(atPath: "\(tarball).partial", toPath: tarball)
      return tarball
    }
  }

  private static func populate(_ rootfs: String) throws {
    let fileManager = FileManager.default
    for directory in ["bin", "etc", "tmp", "proc", "sys", "dev", "root"] {
      try fileManager.createDirectory(
        atPath: "\(rootfs)/\(directory)", withIntermediateDirectories: true)
    }
    try fileManager.copyItem(atPath: busyboxPath, toPath: "\(rootfs)/bin/busybox")
    let applets = try Command.run([busyboxPath, "--list"]).stdout.split(separator: "\n")
    for applet in applets where applet != "busybox" {
      try fileManager.createSymbolicLink(
        atPath: "\(rootfs)/bin/\(applet)", withDestinationPath: "busybox")
    }
    try "root:x:0:0:root:/root:/bin/sh\n".write(
      toFile: "\(rootfs)/etc/passwd", atomically: true, encoding: .utf8)
  }

  /// The package root, three directories above this file's folder.
  static var packageRoot: String {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().deletingLastPathComponent().path
  }
}
