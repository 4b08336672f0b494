import Testing

@testable import LayersweepKit

// TODO: clean against a dockerd started by the test needs the Docker overlay2 audit.
@Suite struct CleanDockerTests {}
