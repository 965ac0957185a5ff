import Cutover
import Foundation
import KubeModels
import SimulatorHarness
import Synchronization
import Testing

@testable import ClusterHarness

extension EndToEnd {
    /// A metric read from a web endpoint (`analysis.metrics[].web`) beside Prometheus's, the
    /// endpoint a receiver in the test answering JSON.
    @Suite("Web metrics") struct WebMetricTests {
        @Test("a web metric passes a release across a controller kill, then reverts one whose quality is 0.5 < min 0.9")
        func aWebMetricJudgesReleases() async throws {
            let quality = Quality()
            let receiver = try await WebhookReceiver { _, _ in .init(body: "{\"quality\": \(quality.value.withLock { $0 })}") }
            do {
                try await Self.releases(receiver, quality)
            } catch {
                await receiver.stop()
                throw error
            }
            await receiver.stop()
        }

        /// What the receiver answers.
        final class Quality: Sendable {
            let value = Mutex(0.99)
        }

        static func releases(_ receiver: WebhookReceiver, _ quality: Quality) async throws {
            try await EndToEndCluster.run { cluster in
                var manifest = cluster.rolloutManifest()
                manifest.webMetricURL = receiver.baseURL + "/quality"
                let blue = try await cluster.deployFirst(manifest)

                manifest.image = "registry.example.com/payment:1.4.3"
                let (measured, healthy) = try await cluster.releaseAcrossAKill(manifest, killWhen: "a quality result of green") { rollout in
                    guard let green = rollout.status?.greenRevision else { return false }
                    return Self.quality(rollout).contains { $0.revision == green && $0.verdict == .pass }
                }
                let green = try #require(measured.status?.greenRevision)
                // Every answer read is 0.99, a pass. (Under CI load a request can time out: that
                // measurement has no value and is judged as an error, which is no part of this test.)
                let read = Self.quality(healthy).filter { $0.revision == green && $0.value != nil }
                #expect(!read.isEmpty && read.allSatisfy { $0.verdict == .pass && $0.value == 0.99 }, "\(Self.quality(healthy))")
                #expect(receiver.requests.contains { $0.method == "GET" && $0.path == "/quality?revision=\(green)" })
                #expect(!receiver.requests.contains { $0.path == "/quality?revision=\(blue)" }, "only green is asked about")

                quality.value.withLock { $0 = 0.5 }
                manifest.image = "registry.example.com/payment:1.5.0"
                let reverted = try await cluster.release(manifest, until: "RolledBack") { $0.status?.phase == .rolledBack }
                let abort = try #require(reverted.status?.abort)
                #expect(abort.reason == "AnalysisBreach" && abort.metric == "quality" && abort.value == 0.5 && abort.limit == 0.9, "\(abort)")
                #expect(try await cluster.get("rollout/payment", jsonpath: "{.status.abort.message}") == "quality 0.5 < min 0.9")
                #expect(try await cluster.selectedRevision() == green)
            }
        }

        static func quality(_ rollout: Rollout) -> [MeasurementRecord] {
            rollout.status?.analysis?.first { $0.name == "quality" }?.history ?? []
        }
    }
}
