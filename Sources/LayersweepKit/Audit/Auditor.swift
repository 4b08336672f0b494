import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Runs one audit: collects the host snapshot, reads every store, runs the cross-checks and
/// builds the report. Reads only; changes nothing on the host.
public struct Auditor: Sendable {
  public var context: AuditContext
  public var adapters: [any StoreAdapter]
  public var hostname: String
  /// Takes the host snapshot; `HostCollector.collect` unless a test injects another.
  public var collect: @Sendable (HostPaths) throws -> HostSnapshot

  /// An auditor over `adapters`; by default every store layersweep supports, at the context's
  /// paths, and this host's name.
  public init(
    context: AuditContext, adapters: [any StoreAdapter]? = nil, hostname: String? = nil,
    collect: @escaping @Sendable (HostPaths) throws -> HostSnapshot = HostCollector.collect
  ) {
    self.context = context
    self.adapters = adapters ?? Self.defaultAdapters(paths: context.paths)
    self.hostname = hostname ?? Self.currentHostname()
    self.collect = collect
  }

  /// Runs the audit. A snapshot that cannot be taken yields a report holding only that
  /// error (exit status 2): judging stores and mounts without it could mark in-use objects.
  ///
  /// With a console, each stage logs its duration at debug level (`elapsed_ms`).
  public func run(console: Console? = nil) -> AuditReport {
    let clock = ContinuousClock()
    var stageStart = clock.now
    let host: HostSnapshot
    let (collect, paths) = (self.collect, context.paths)
    let timeout = String(format: "%g", context.readTimeout)
    guard
      let snapshot = Deadline.run(seconds: context.readTimeout, { Result { try collect(paths) } })
    else {
      return failedReport(
        AuditError(
          store: "host", path: paths.proc,
          message: "reading the host snapshot did not finish within \(timeout) s; a process "
            + "or filesystem may be hung. Run 'layersweep watch --once' to find it."))
    }
    do {
      host = try snapshot.get()
    } catch {
      return failedReport(error)
    }
    console?.log(
      .debug, "host snapshot taken",
      [
        "processes": String(host.processes.count), "namespaces": String(host.namespaces.count),
        "elapsed_ms": Self.milliseconds(since: stageStart, clock: clock),
      ])

    let results = adapters.map { adapter in
      stageStart = clock.now
      let result = audit(adapter, host: host)
      console?.log(
        .debug, "store read",
        [
          "store": adapter.name, "findings": String(result.findings.count),
          "elapsed_ms": Self.milliseconds(since: stageStart, clock: clock),
        ])
      return result
    }
    stageStart = clock.now
    let crossFindings = CrossChecks(host: host, stores: results, context: context).findings()
    console?.log(
      .debug, "cross-checks done",
      [
        "findings": String(crossFindings.count),
        "elapsed_ms": Self.milliseconds(since: stageStart, clock: clock),
      ])
    return AuditReport(
      generatedAt: context.now, hostname: hostname, stores: results.map(\.status),
      findings: results.flatMap(\.findings) + crossFindings, errors: results.flatMap(\.errors))
  }

  /// Reads one store, giving up after the read timeout so a hung filesystem under one store
  /// cannot hang the audit. A store that times out is reported as an error.
  private func audit(_ adapter: any StoreAdapter, host: HostSnapshot) -> StoreAuditResult {
    let context = self.context
    if let result = Deadline.run(
      seconds: context.readTimeout, { adapter.audit(host: host, context: context) })
    {
      return result
    }
    let error = AuditError(
      store: adapter.name, path: adapter.root,
      message: "reading the store did not finish within "
        + "\(String(format: "%g", context.readTimeout)) s; a filesystem under it may be hung. "
        + "Run 'layersweep watch --once' to find it.")
    return StoreAuditResult(
      status: StoreStatus(name: adapter.name, root: adapter.root, isPresent: true),
      errors: [error])
  }

  private func failedReport(_ error: any Error) -> AuditReport {
    let auditError =
      (error as? AuditError)
      ?? AuditError(
        store: "host", path: context.paths.proc,
        message: "reading the host failed: \(error). Check that --proc and --cgroup-root "
          + "point at procfs and the cgroup mount, and run as root.")
    return AuditReport(
      generatedAt: context.now, hostname: hostname, stores: [], findings: [], errors: [auditError])
  }

  /// Formats the time elapsed since `start` in whole milliseconds, for debug logs.
  static func milliseconds(since start: ContinuousClock.Instant, clock: ContinuousClock) -> String {
    let elapsed = clock.now - start
    let components = elapsed.components
    return String(components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000)
  }

  /// This host's name from `gethostname(2)`, or `localhost` when it fails.
  static func currentHostname() -> String {
    var buffer = [CChar](repeating: 0, count: 256)
    guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
    return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }

  /// Every store layersweep reads, at `paths`. A store whose root is absent reports itself
  /// absent and nothing else.
  public static func defaultAdapters(paths: HostPaths) -> [any StoreAdapter] {
    [
      DockerOverlay2Store(paths: paths, buildCacheReader: BuildKitCacheReader()),
      DockerAufsStore(paths: paths),
      ContainersStorageStore(paths: paths),
      ContainerdStore(paths: paths),
      KubeletPodStore(paths: paths),
    ]
  }
}
