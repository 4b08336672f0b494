import Foundation

/// Writes an image tar in the `docker save` layout (`manifest.json`, a config and one tar per
/// layer) that `ctr images import` accepts without a registry.
enum DockerArchiveImage {
  /// Writes a busybox image to `directory/image.tar` and returns its path. `extraLayer`
  /// adds a second layer with one file of that content, so each call can make new layers.
  static func write(in directory: String, tag: String, extraLayer: String? = nil) throws
    -> String
  {
    let work = directory + "/image-\(UUID().uuidString.prefix(8))"
    let rootfs = work + "/rootfs"
    try FileManager.default.createDirectory(
      atPath: rootfs + "/bin", withIntermediateDirectories: true)
    try FileManager.default.copyItem(atPath: "/bin/busybox", toPath: rootfs + "/bin/busybox")
    try FileManager.default.createSymbolicLink(
      atPath: rootfs + "/bin/sh", withDestinationPath: "busybox")
    var layers = [try tarLayer(rootfs, named: "layer1.tar", in: work)]
    if let extraLayer {
      let second = work + "/second"
      try FileManager.default.createDirectory(
        atPath: second + "/etc", withIntermediateDirectories: true)
      try extraLayer.write(toFile: second + "/etc/motd", atomically: true, encoding: .utf8)
      layers.append(try tarLayer(second, named: "layer2.tar", in: work))
    }
    return try writeArchive(work: work, tag: tag, layers: layers)
  }

  private static func tarLayer(_ directory: String, named name: String, in work: String) throws
    -> (name: String, digest: String)
  {
    try CommandRunner.run("/bin/tar", ["-C", directory, "-cf", work + "/" + name, "."])
    let sum = try CommandRunner.run("/usr/bin/sha256sum", [work + "/" + name])
    return (name, "sha256:" + sum.prefix(64))
  }

  private static func writeArchive(
    work: String, tag: String, layers: [(name: String, digest: String)]
  ) throws -> String {
    let diffIDs = layers.map { "\"\($0.digest)\"" }.joined(separator: ",")
    let config = """
      {"architecture":"amd64","os":"linux","config":{"Cmd":["/bin/sh"]},\
      "rootfs":{"type":"layers","diff_ids":[\(diffIDs)]}}
      """
    try config.write(toFile: work + "/config.json", atomically: true, encoding: .utf8)
    let layerNames = layers.map { "\"\($0.name)\"" }.joined(separator: ",")
    let manifest = """
      [{"Config":"config.json","RepoTags":["\(tag)"],"Layers":[\(layerNames)]}]
      """
    try manifest.write(toFile: work + "/manifest.json", atomically: true, encoding: .utf8)
    let archive = work + "/image.tar"
    let members = ["manifest.json", "config.json"] + layers.map(\.name)
    try CommandRunner.run("/bin/tar", ["-C", work, "-cf", archive] + members)
    return archive
  }
}
