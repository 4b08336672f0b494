import Foundation

@testable import LayersweepKit

/// A report with one finding of three kinds, a store status and an error, for golden tests.
enum SampleReport {
  static let generatedAt = Date(timeIntervalSince1970: 1_764_860_400)

  static let findings = [
    Finding(
      kind: .orphanedLayer, store: "docker-overlay2", id: "3f2a",
      path: "/var/lib/docker/overlay2/3f2a", evidence: ["no layer metadata names 3f2a"],
      reclaimableBytes: 1_572_864, ageSeconds: 3 * 86_400 + 100, cleanable: true),
    Finding(
      kind: .orphanedLayer, store: "docker-overlay2", id: "9c01",
      path: "/var/lib/docker/overlay2/9c01", evidence: ["no layer metadata names 9c01"],
      reclaimableBytes: 512, ageSeconds: 7_200, cleanable: true),
    Finding(
      kind: .leakedCgroup, store: "cgroup", id: "/docker/abc", path: "/sys/fs/cgroup/docker/abc",
      evidence: ["no store records container abc", "it still holds 1 process"],
      cleanable: false, nextStep: "Stop the processes still in the cgroup.",
      details: ["pids": "77"]),
    Finding(
      kind: .dyingCgroups, store: "cgroup", id: "/sys/fs/cgroup", path: "/sys/fs/cgroup",
      evidence: ["nr_dying_descendants 17"], cleanable: false, nextStep: "Wait."),
  ]

  static let report = AuditReport(
    generatedAt: generatedAt, hostname: "node-1",
    stores: [
      StoreStatus(
        name: "docker-overlay2", root: "/var/lib/docker", isPresent: true,
        isRuntimeResponding: false)
    ],
    findings: findings,
    errors: [
      AuditError(
        store: "docker-overlay2", path: "/var/lib/docker/image/overlay2/repositories.json",
        message: "invalid JSON at byte 12")
    ])

  static let empty = AuditReport(
    generatedAt: generatedAt, hostname: "node-1",
    stores: [StoreStatus(name: "docker-overlay2", root: "/var/lib/docker", isPresent: false)],
    findings: [], errors: [])
}
