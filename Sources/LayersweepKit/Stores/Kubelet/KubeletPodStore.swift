import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// kubelet's pods directory, `<kubelet-root>/pods/<uid>`: the pods kubelet still keeps on
/// this node. The cross-checks judge Kubernetes pod cgroups against it.
public struct KubeletPodStore: StoreAdapter {
  public let name = "kubelet"
  public var root: String { paths.kubeletRoot }
  public var paths: HostPaths

  public init(paths: HostPaths) {
    self.paths = paths
  }

  /// Lists the entries of `<kubelet-root>/pods`, following symlinks because kubelet's root is
  /// often a link to a data disk. Reads only. A missing directory yields a status with
  /// `isPresent == false`.
  public func audit(host: HostSnapshot, context: AuditContext) -> StoreAuditResult {
    let podsDirectory = paths.kubeletRoot + "/pods"
    var status = StoreStatus(name: name, root: paths.kubeletRoot, isPresent: false)
    var info = stat()
    guard stat(podsDirectory, &info) == 0 else {
      let code = errno
      if code == ENOENT || code == ENOTDIR {
        return StoreAuditResult(status: status)
      }
      return failure(status, podsDirectory, "stat failed: \(String(cString: strerror(code)))")
    }

    status.isPresent = true
    guard info.st_mode & S_IFMT == S_IFDIR else {
      return failure(status, podsDirectory, "exists but is not a directory")
    }
    do {
      let entries = try FileManager.default.contentsOfDirectory(atPath: podsDirectory)
      return StoreAuditResult(
        status: status, podUIDs: Set(entries))
    } catch {
      return failure(status, podsDirectory, "listing failed: \(error.localizedDescription)")
    }
  }

  private func failure(_ status: StoreStatus, _ path: String, _ problem: String)
    -> StoreAuditResult
  {
    let error = AuditError(
      store: name, path: path,
      message: "kubelet's pods directory \(problem). Check --kubelet-root and the permissions "
        + "of the directory; pod cgroups are not judged until it can be read.")
    return StoreAuditResult(status: status, errors: [error])
  }
}
