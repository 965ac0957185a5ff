import Cutover
import Foundation
import KubeModels
import Testing
@testable import ClusterHarness

extension EndToEnd {
    /// A human operates a release with nothing but `kubectl annotate` (docs/rollout-reference.md,
    /// "Actions by annotation").
    @Suite("Actions") struct ActionTests {
        @Test("manual approval: AwaitingApproval until `kubectl annotate cutover.dev/promote`, then cut over")
        func manualApproval() async throws {
            try await EndToEndCluster.run { cluster in
                var manifest = cluster.rolloutManifest()
                manifest.steps = [(20, "1s")]
                manifest.approval = "Manual"
                let blue = try await cluster.deployFirst(manifest)

                manifest.image = "registry.example.com/payment:1.4.3"
                let waiting = try await cluster.release(manifest, until: "AwaitingApproval") { $0.status?.phase == .awaitingApproval }
                let green = try #require(waiting.status?.greenRevision)
                #expect(try await cluster.get("rollout/payment", jsonpath: "{.status.approvalReason}").hasPrefix("ManualApproval"))

                // Analysis goes on while it waits, and nothing moves without the promote.
                let entered = try #require(waiting.status?.analysis?.first?.lastMeasuredAt)
                let later = try await cluster.monitor.waitForRollout("payment", "two more measurements") {
                    guard let measured = $0.status?.analysis?.first?.lastMeasuredAt else { return false }
                    return measured.date.timeIntervalSince(entered.date) >= 2 * manifest.intervalSeconds
                }
                #expect(later.status?.phase == .awaitingApproval)
                #expect(try await cluster.selectedRevision() == "", "still split between blue and green")

                let promote = EndToEndCluster.actionValue()
                try await cluster.annotate(rollout: "payment", "cutover.dev/promote", promote)
                let done = try await cluster.monitor.waitForRollout("payment", "Healthy on green") {
                    $0.status?.phase == .healthy && $0.status?.activeRevision == green
                }
                #expect(done.status?.acknowledgedActions?.promote == promote)
                #expect(try await cluster.get("rollout/payment", jsonpath: "{.status.acknowledgedActions.promote}") == promote)
                #expect(try await cluster.selectedRevision() == green)
                #expect(try await cluster.replicas(of: blue) == "0")

                let phases = cluster.monitor.model().release("payment", green: green).compactMap(\.phase)
                    .reduce(into: [RolloutPhase]()) { if $0.last != $1 { $0.append($1) } }
                #expect(phases == [.progressing, .canary, .awaitingApproval, .promoting, .holdWindow, .healthy], "phases: \(phases)")
            }
        }

        @Test("abort mid-canary and retry afterwards, both with `kubectl annotate`")
        func abortThenRetry() async throws {
            try await EndToEndCluster.run { cluster in
                var manifest = cluster.rolloutManifest()
                // A first step long enough to abort in, whatever kubectl's start-up costs.
                manifest.steps = [(20, "6s"), (50, "1s")]
                let blue = try await cluster.deployFirst(manifest)

                manifest.image = "registry.example.com/payment:1.4.3"
                let canary = try await cluster.release(manifest, until: "Canary") { $0.status?.phase == .canary }
                let green = try #require(canary.status?.greenRevision)

                let abort = EndToEndCluster.actionValue()
                try await cluster.annotate(rollout: "payment", "cutover.dev/abort", abort)
                let reverted = try await cluster.monitor.waitForPhase("payment", .rolledBack)
                #expect(reverted.status?.abort?.reason == "Aborted")
                #expect(reverted.status?.rolledBackRevision == green)
                #expect(try await cluster.get("rollout/payment", jsonpath: "{.status.acknowledgedActions.abort}") == abort)
                #expect(try await cluster.selectedRevision() == blue)
                try await cluster.waitForReplicas(of: green, "0")
                let abortedAt = Date()

                let retry = EndToEndCluster.actionValue()
                try await cluster.annotate(rollout: "payment", "cutover.dev/retry", retry)
                let done = try await cluster.monitor.waitForRollout("payment", "the retried release to be Healthy", timeout: .seconds(90)) {
                    $0.status?.phase == .healthy && $0.status?.activeRevision == green
                }
                #expect(done.status?.acknowledgedActions?.retry == retry)
                #expect(try await cluster.selectedRevision() == green)
                #expect(try await cluster.replicas(of: blue) == "0")

                let model = cluster.monitor.model()
                let retried = model.states("payment").filter { $0.green == green }
                #expect(retried.contains { $0.phase == .canary && $0.weight == 50 }, "the retry went through every step again")
                #expect(model.firstTime("payment", reached: .canary, after: abortedAt) != nil)
                #expect(model.timeline.creations["payment-\(green)"] == 1, "the retry reuses green's Deployment")
            }
        }
    }
}
