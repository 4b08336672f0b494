import Testing

@testable import LayersweepKit

/// Clean against a real dockerd that the tests start on a temporary data root.
///
/// TODO: these need the Docker overlay2 audit to produce the findings. They will cover: every
/// cleanable case of the audit tests cleaned, after which audit reports none of them, every
/// image runs, every container starts, `docker system df` and `docker image inspect` succeed,
/// and a second clean does nothing; clean while a loop runs `docker create`, `run`, `rm`,
/// `import` and `rmi` for 20 rounds with no image or container damaged; and a SIGKILL at each
/// `FaultInjection.steps` entry followed by a rerun, with every image still running.
@Suite struct CleanDockerTests {}
