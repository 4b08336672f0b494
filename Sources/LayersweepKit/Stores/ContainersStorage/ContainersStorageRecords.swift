import Foundation

/// One entry of `overlay-layers/layers.json` or `volatile-layers.json`, with the fields
/// layersweep uses. Podman 4.3 also writes digests, sizes, `uidset`/`gidset` and
/// `big-data-names`, which are ignored.
struct StorageLayerRecord: Decodable, Equatable {
  var id: String
  var names: [String]?
  /// The parent layer's id; absent for a base layer.
  var parent: String?
  /// Creation time as Go's RFC 3339 text; absent or zero in stores older than the field.
  var created: String?
  var flags: Flags?

  /// The `flags` object, whose other keys are free-form.
  struct Flags: Decodable, Equatable {
    /// Set before the layer's contents are written and cleared when they are complete.
    var incomplete: Bool?
  }

  var isIncomplete: Bool { flags?.incomplete == true }
}

/// One entry of `overlay-images/images.json`.
struct StorageImageRecord: Decodable, Equatable {
  var id: String
  var names: [String]?
  /// The image's top layer; absent for an image with no layers.
  var layer: String?
  /// Top layers of the same image converted for other id mappings.
  var mappedLayers: [String]?
  var created: String?

  enum CodingKeys: String, CodingKey {
    case id, names, layer, created
    case mappedLayers = "mapped-layers"
  }
}

/// One entry of `overlay-containers/containers.json` or `volatile-containers.json`.
struct StorageContainerRecord: Decodable, Equatable {
  var id: String
  var names: [String]?
  /// The image id, empty for a container made from scratch.
  var image: String?
  /// The container's read-write layer.
  var layer: String
  /// Free-form JSON text written by the runtime that made the container.
  var metadata: String?
  var created: String?

  /// Whether CRI-O made the container: CRI-O's metadata names the pod (`pod-id`), Podman's
  /// and Buildah's do not.
  var isCRIOContainer: Bool {
    guard let data = metadata?.data(using: .utf8),
      let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
    else { return false }
    return object["pod-id"] != nil
  }
}

/// One entry of the run root's `overlay-layers/mountpoints.json`: how many times a layer is
/// mounted and where.
struct StorageMountRecord: Decodable, Equatable {
  var id: String
  var path: String?
  var count: Int?
}
