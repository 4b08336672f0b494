import Testing

/// Parent of every suite that starts a private dockerd. Its tests run one at a time, so a
/// namespace holder or a killed daemon in one test never shows up in another test's audit.
///
/// The suites need root, `dockerd` and `docker` 20.10 (Debian `docker.io`), and
/// `busybox-static`. They audit with `.build/debug/layersweep` unless `LAYERSWEEP_BINARY`
/// names another binary; `LAYERSWEEP_RECIPES_ONLY=1` stops each test after checking the
/// state its recipe created, without running the audit.
@Suite(
  .serialized, .enabled(if: DockerDaemon.isAvailable, "needs root, dockerd and the docker CLI"))
struct DockerIntegrationTests {}
