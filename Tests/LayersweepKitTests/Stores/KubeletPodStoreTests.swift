import Foundation
import Testing

@testable import LayersweepKit

@Suite struct KubeletPodStoreTests {
  static func audit(kubeletRoot: String) -> StoreAuditResult {
    var paths = HostPaths()
    paths.kubeletRoot = kubeletRoot
    return KubeletPodStore(paths: paths).audit(host: HostSnapshot(), context: AuditContext())
  }

  @Test func listsPodDirectories() throws {
    let directory = try TemporaryDirectory()
    for uid in ["0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", "5f0c2d8e9a7b6c5d4e3f2a1b0c9d8e7f"] {
      try FileManager.default.createDirectory(
        atPath: "\(directory.path)/pods/\(uid)/volumes", withIntermediateDirectories: true)
    }
    let result = Self.audit(kubeletRoot: directory.path)
    #expect(result.status == StoreStatus(name: "kubelet", root: directory.path, isPresent: true))
    #expect(
      result.podUIDs == [
        "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", "5f0c2d8e9a7b6c5d4e3f2a1b0c9d8e7f",
      ])
    #expect(result.errors.isEmpty)
    #expect(!result.isContainerListComplete)
  }

  @Test func missingRootIsAbsent() throws {
    let directory = try TemporaryDirectory()
    let result = Self.audit(kubeletRoot: directory.path + "/missing")
    #expect(!result.status.isPresent)
    #expect(result.podUIDs == nil)
    #expect(result.errors.isEmpty)
  }

  @Test func podsFileIsAnError() throws {
    let directory = try TemporaryDirectory()
    #expect(
      FileManager.default.createFile(atPath: directory.path + "/pods", contents: Data("x".utf8)))
    let result = Self.audit(kubeletRoot: directory.path)
    #expect(result.status.isPresent)
    #expect(result.podUIDs == nil)
    #expect(
      result.errors == [
        AuditError(
          store: "kubelet", path: directory.path + "/pods",
          message: "kubelet's pods directory exists but is not a directory. Check "
            + "--kubelet-root and the permissions of the directory; pod cgroups are not judged "
            + "until it can be read.")
      ])
  }

  @Test func symlinkedRootIsFollowed() throws {
    let directory = try TemporaryDirectory()
    try FileManager.default.createDirectory(
      atPath: directory.path + "/disk/pods/abc", withIntermediateDirectories: true)
    try FileManager.default.createSymbolicLink(
      atPath: directory.path + "/kubelet", withDestinationPath: directory.path + "/disk")
    let result = Self.audit(kubeletRoot: directory.path + "/kubelet")
    #expect(result.podUIDs == ["abc"])
  }

  /// A file, a dangling symlink or a crafted name in `pods/` still counts as a pod, so no
  /// cgroup is reported through it. Only the uid parsed from a cgroup's name becomes a path.
  @Test func oddEntriesCountAsPods() throws {
    let directory = try TemporaryDirectory()
    let pods = directory.path + "/pods"
    try FileManager.default.createDirectory(atPath: pods, withIntermediateDirectories: true)
    #expect(FileManager.default.createFile(atPath: pods + "/file-uid", contents: Data()))
    try FileManager.default.createSymbolicLink(
      atPath: pods + "/dangling-uid", withDestinationPath: directory.path + "/missing")
    #expect(FileManager.default.createFile(atPath: pods + "/..etc", contents: Data()))
    let result = Self.audit(kubeletRoot: directory.path)
    #expect(result.podUIDs == ["file-uid", "dangling-uid", "..etc"])
    #expect(result.errors.isEmpty)
  }
}
