import Cutover
import Foundation
import KubeModels
import Testing

@testable import ClusterHarness

extension EndToEnd {
    /// The statistical judge (docs/analysis-statistics.md) on KubeSim's simulated latency, through
    /// a real Prometheus: each side's mean latency sampled every second over 20 s.
    @Suite("Statistical judge") struct JudgeTests {
        @Test("a green as fast as blue passes the judge across a controller kill; a green 20% slower passes max 0.5 s but the judge reverts it")
        func theJudgeRevertsASlowerGreenThatThresholdsPass() async throws {
            try await EndToEndCluster.run { cluster in
                var manifest = cluster.rolloutManifest()
                manifest.judgedLatency = true
                manifest.podAnnotations["sim.cutover.dev/latency-ms"] = "100"
                let blue = try await cluster.deployFirst(manifest)

                // 1. As fast as blue. The controller dies once the judge has said something of green.
                manifest.image = "registry.example.com/payment:1.4.3"
                let (judged, healthy) = try await cluster.releaseAcrossAKill(manifest, killWhen: "a judged result of green") { rollout in
                    guard let green = rollout.status?.greenRevision else { return false }
                    return Self.latency(rollout).contains { $0.revision == green && $0.verdict != .inconclusive }
                }
                let green = try #require(judged.status?.greenRevision)
                let passes = Self.latency(healthy).filter { $0.revision == green }
                #expect(passes.contains { $0.verdict.passes }, "\(passes)")
                #expect(!passes.contains { $0.verdict == .breach }, "\(passes)")
                let score = try #require(healthy.status?.score, "a release score")
                // The hold window's: from the cutover on.
                let cutoverAt = cluster.monitor.model().statuses("payment").last { $0.status.greenRevision == green && $0.status.cutoverAt != nil }?.status.cutoverAt
                #expect(score.value >= 50 && score.since == cutoverAt, "\(score), cutover at \(String(describing: cutoverAt))")
                #expect(try await cluster.get("rollout/payment", jsonpath: "{.status.score.message}").contains("latency"))

                // 2. 120 ms beside blue's 100 ms: under max 0.5 s, but significantly and 20% slower.
                manifest.image = "registry.example.com/payment:1.5.0"
                manifest.podAnnotations["sim.cutover.dev/latency-ms"] = "120"
                let reverted = try await cluster.release(manifest, until: "RolledBack", timeout: .seconds(120)) { $0.status?.phase == .rolledBack }
                let slow = try #require(reverted.status?.rolledBackRevision)
                #expect(try await cluster.get("rollout/payment", jsonpath: "{.status.abort.reason}") == "AnalysisBreach")
                #expect(try await cluster.get("rollout/payment", jsonpath: "{.status.abort.metric}") == "latency")
                let message = try await cluster.get("rollout/payment", jsonpath: "{.status.abort.message}")
                #expect(message.contains("a significant increase") && message.contains("of at least minEffect 10%"), "\(message)")
                let records = Self.latency(reverted).filter { $0.revision == slow }
                let breach = try #require(records.last { $0.verdict == .breach })
                // The medians: green's mean latency about 0.12 s, blue's about 0.1 s.
                let value = try #require(breach.value), base = try #require(breach.baseline)
                #expect(value > 0.11 && value < 0.13 && base > 0.09 && base < 0.11, "\(breach)")
                #expect(!records.contains { $0.message?.contains("> max") == true }, "the max threshold never breached: \(records)")
                #expect(try await cluster.selectedRevision() == green)
                #expect(cluster.monitor.model().selectorHistory("payment").last == .revision(green))
            }
        }

        static func latency(_ rollout: Rollout) -> [MeasurementRecord] {
            rollout.status?.analysis?.first { $0.name == "latency" }?.history ?? []
        }
    }
}
