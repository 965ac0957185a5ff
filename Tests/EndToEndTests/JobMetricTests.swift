import Cutover
import Foundation
import KubeModels
import Testing

@testable import ClusterHarness

extension EndToEnd {
    /// A metric measured by a Job per measurement (`analysis.metrics[].job`), on KubeSim's Jobs.
    @Suite("Job metrics") struct JobMetricTests {
        @Test("a job metric passes a release across a controller kill (its Jobs deleted once they passed), then fails one with the Job's log")
        func aJobMetricJudgesReleases() async throws {
            try await EndToEndCluster.run { cluster in
                var manifest = cluster.rolloutManifest()
                manifest.smokeExitCode = 0
                let blue = try await cluster.deployFirst(manifest)

                manifest.image = "registry.example.com/payment:1.4.3"
                let (measured, healthy) = try await cluster.releaseAcrossAKill(manifest, killWhen: "a smoke result of green") { rollout in
                    guard let green = rollout.status?.greenRevision else { return false }
                    return Self.smoke(rollout).contains { $0.revision == green && $0.verdict == .pass }
                }
                let green = try #require(measured.status?.greenRevision)
                let passes = Self.smoke(healthy).filter { $0.revision == green }
                #expect(!passes.isEmpty && passes.allSatisfy { $0.verdict == .pass && $0.message?.hasPrefix("smoke: Job payment-smoke-") == true }, "\(passes)")
                #expect(healthy.status?.activeRevision != blue)
                // The Jobs that passed are deleted; only a Job the killed controller left running may linger until it ends.
                _ = try await eventually("the passed smoke Jobs deleted", timeout: .seconds(30)) {
                    let left = try await cluster.kubectl("get", "jobs", "-n", cluster.namespace, "-l", "cutover.dev/metric=smoke", "-o", "name")
                    let count = left.split(separator: "\n").count
                    return (count <= 1 ? true : nil, "\(count) smoke Jobs: \(left)")
                }

                manifest.image = "registry.example.com/payment:1.5.0"
                manifest.smokeExitCode = 1
                manifest.smokeLog = "GET /checkout 502\\nsmoke failed"
                let reverted = try await cluster.release(manifest, until: "RolledBack") { $0.status?.phase == .rolledBack }
                let abort = try #require(reverted.status?.abort)
                #expect(abort.reason == "AnalysisBreach" && abort.metric == "smoke", "\(abort)")
                #expect(abort.message?.hasPrefix("smoke: Job payment-smoke-") == true, "\(abort)")
                #expect(abort.message?.hasSuffix("GET /checkout 502 | smoke failed") == true, "\(abort)")
                let kept = try await cluster.kubectl("get", "jobs", "-n", cluster.namespace, "-l", "cutover.dev/metric=smoke",
                                                     "-o", #"jsonpath={.items[*].status.conditions[?(@.type=="Failed")].reason}"#)
                #expect(kept.contains("BackoffLimitExceeded"), "the failed Job is kept: \(kept)")
                #expect(try await cluster.selectedRevision() == green)
            }
        }

        static func smoke(_ rollout: Rollout) -> [MeasurementRecord] {
            rollout.status?.analysis?.first { $0.name == "smoke" }?.history ?? []
        }
    }
}
