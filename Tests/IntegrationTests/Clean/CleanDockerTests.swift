import Testing

@testable import LayersweepKit

/// Clean against a real dockerd that the tests start on a temporary data root.
///
/// TODO: these need the Docker overlay2 audit to produce the findings. First, every
/// cleanable case of the audit tests is cleaned. Afterwards audit reports none of them, every
/// image runs, every container starts, and `docker system df` and `docker image inspect`
/// succeed. A second clean does nothing. Second, clean runs while a loop runs
/// `docker create`, `run`, `rm`, `import` and `rmi` for 20 rounds, and no image or container
/// is damaged. Third, clean is killed at each `FaultInjection.steps` entry and rerun, and
/// every image still runs.
@Suite struct CleanDockerTests {}
