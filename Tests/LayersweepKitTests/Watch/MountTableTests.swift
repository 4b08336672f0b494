import Testing

@testable import LayersweepKit

@Suite struct MountTableTests {
  static let table: [MountEntry] = [
    entry(1, "/", "ext4", "/dev/vda"),
    entry(2, "/proc", "proc", "proc"),
    entry(3, "/var/lib/docker", "xfs", "/dev/vdb"),
    entry(4, "/var/lib/docker/overlay2/abc/merged", "overlay", "overlay"),
    entry(5, "/srv/fuse", "fuse.fuse-overlayfs", "fuse-overlayfs"),
    entry(6, "/data", "ext4", "/dev/vdc"),
  ]

  static func entry(_ id: Int, _ target: String, _ type: String, _ source: String)
    -> MountEntry
  {
    MountEntry(
      mountID: id, parentID: 1, device: "0:\(id)", root: "/", target: target, fsType: type,
      source: source, vfsOptions: "rw", fsOptions: "rw")
  }

  @Test func discoveryPicksStoresAndOverlays() {
    let selector = MountSelector(
      storeRoots: ["/var/lib/docker", "/var/lib/containerd"], explicitPaths: [],
      writeProbeDirectories: [], discoversMounts: true)
    let selected = selector.select(from: Self.table).map(\.mountPoint)
    #expect(
      selected == ["/", "/srv/fuse", "/var/lib/docker", "/var/lib/docker/overlay2/abc/merged"])
  }

  @Test func explicitPathsOnlyWithoutDiscovery() throws {
    let selector = MountSelector(
      storeRoots: ["/var/lib/docker"], explicitPaths: ["/data/sub"],
      writeProbeDirectories: ["/data/probe"], discoversMounts: false)
    let selected = selector.select(from: Self.table)
    #expect(selected.count == 1)
    let mount = try #require(selected.first)
    #expect(mount.mountPoint == "/data")
    #expect(mount.probePath == "/data/sub")
    #expect(mount.writeProbeDirectory == "/data/probe")
  }

  @Test func containingMountComparesComponents() {
    #expect(MountSelector.containingMount(of: "/datastore/x", in: Self.table)?.target == "/")
    #expect(MountSelector.containingMount(of: "/data", in: Self.table)?.target == "/data")
    #expect(MountSelector.containingMount(of: "/data/", in: Self.table)?.target == "/data")
  }
}
