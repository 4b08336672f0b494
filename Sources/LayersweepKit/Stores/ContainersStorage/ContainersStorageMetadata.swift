import Foundation

/// The metadata of one containers/storage store as read from its JSON files, with the
/// errors met on the way. A file that could not be read completely contributes nothing,
/// and the matching `is...Complete` flag turns off every finding that depends on it.
struct ContainersStorageMetadata {
  /// Layers of `layers.json` and `volatile-layers.json`, by id.
  var layers: [String: StorageLayerRecord] = [:]
  var images: [StorageImageRecord] = []
  var containers: [StorageContainerRecord] = []
  var mounts: [StorageMountRecord] = []
  /// The file each layer was read from.
  var layerSources: [String: String] = [:]
  /// The file each container was read from.
  var containerSources: [String: String] = [:]
  var errors: [AuditError] = []
  var isLayerStoreComplete = true
  var isImageStoreComplete = true
  var isContainerStoreComplete = true
  var isMountStoreComplete = true

  /// Whether every record that can keep a layer alive was read.
  var areReferencesComplete: Bool {
    isLayerStoreComplete && isImageStoreComplete && isContainerStoreComplete
  }
}

extension ContainersStorageMetadata {
  /// Reads the layer, image, container and mount point files of the store at `graphRoot`
  /// and `runRoot`. Problems become `errors` that name the file.
  static func load(graphRoot: String, runRoot: String, store: String) -> Self {
    var metadata = Self()
    var reader = MetadataFileReader(store: store)
    metadata.readLayers(graphRoot: graphRoot, reader: &reader)
    metadata.readImages(graphRoot: graphRoot, reader: &reader)
    metadata.readContainers(graphRoot: graphRoot, reader: &reader)
    metadata.readMounts(runRoot: runRoot, reader: &reader)
    metadata.errors = reader.errors
    return metadata
  }

  private mutating func readLayers(graphRoot: String, reader: inout MetadataFileReader) {
    for file in ["layers.json", "volatile-layers.json"] {
      let path = graphRoot + "/overlay-layers/" + file
      let required = file == "layers.json" && hasLayerDirectories(graphRoot: graphRoot)
      guard let records: [StorageLayerRecord] = reader.read(path, isRequired: required) else {
        isLayerStoreComplete = isLayerStoreComplete && !reader.lastReadFailed
        continue
      }
      let ids = records.flatMap { [$0.id] + ($0.parent.map { [$0] } ?? []) }
      guard reader.validate(ids, in: path) else {
        isLayerStoreComplete = false
        continue
      }
      for record in records {
        layers[record.id] = record
        layerSources[record.id] = path
      }
    }
  }

  private mutating func readImages(graphRoot: String, reader: inout MetadataFileReader) {
    let path = graphRoot + "/overlay-images/images.json"
    guard let records: [StorageImageRecord] = reader.read(path, isRequired: false) else {
      isImageStoreComplete = !reader.lastReadFailed
      return
    }
    let ids = records.flatMap { [$0.id] + ($0.layer.map { [$0] } ?? []) + ($0.mappedLayers ?? []) }
    guard reader.validate(ids, in: path) else {
      isImageStoreComplete = false
      return
    }
    images = records
  }

  private mutating func readContainers(graphRoot: String, reader: inout MetadataFileReader) {
    for file in ["containers.json", "volatile-containers.json"] {
      let path = graphRoot + "/overlay-containers/" + file
      guard let records: [StorageContainerRecord] = reader.read(path, isRequired: false) else {
        isContainerStoreComplete = isContainerStoreComplete && !reader.lastReadFailed
        continue
      }
      let ids = records.flatMap { [$0.id, $0.layer] }
      guard reader.validate(ids, in: path) else {
        isContainerStoreComplete = false
        continue
      }
      containers += records
      for record in records { containerSources[record.id] = path }
    }
  }

  private mutating func readMounts(runRoot: String, reader: inout MetadataFileReader) {
    let path = runRoot + "/overlay-layers/mountpoints.json"
    guard let records: [StorageMountRecord] = reader.read(path, isRequired: false) else {
      isMountStoreComplete = !reader.lastReadFailed
      return
    }
    guard reader.validate(records.map(\.id), in: path) else {
      isMountStoreComplete = false
      return
    }
    mounts = records
  }

  /// Whether the driver directory contains anything besides its own bookkeeping, in which
  /// case a missing `layers.json` means lost metadata rather than an empty store.
  private func hasLayerDirectories(graphRoot: String) -> Bool {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: graphRoot + "/overlay"))
    return (names ?? []).contains { !OverlayDriverDirectory.isReserved($0) }
  }
}
