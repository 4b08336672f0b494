// swift-tools-version:6.0
import PackageDescription

let package = Package(
  name: "layersweep",
  platforms: [.macOS(.v13)],
  products: [
    .executable(name: "layersweep", targets: ["layersweep"]),
    .library(name: "LayersweepKit", targets: ["LayersweepKit"]),
  ],
  targets: [
    .systemLibrary(
      name: "CMount",
      pkgConfig: "mount",
      providers: [.apt(["libmount-dev"])]
    ),
    .target(name: "LibMount", dependencies: ["CMount"]),
    .target(name: "CLinux"),
    .target(name: "LayersweepKit", dependencies: ["LibMount", "CLinux"]),
    .executableTarget(name: "layersweep", dependencies: ["LayersweepKit"]),
    // Times library routines for scripts/bench.sh; deliberately not a product.
    .executableTarget(name: "layersweep-bench", dependencies: ["LayersweepKit"]),
    .testTarget(
      name: "LayersweepKitTests",
      dependencies: ["LayersweepKit", "LibMount"],
      resources: [.copy("Fixtures")]
    ),
    .testTarget(name: "IntegrationTests", dependencies: ["LayersweepKit"]),
  ]
)
