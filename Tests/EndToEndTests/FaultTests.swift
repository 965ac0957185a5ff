import Cutover
import Foundation
import KubeModels
import Testing

#if canImport(Glibc)
import Glibc
@testable import ClusterHarness
#endif

extension EndToEnd {
    /// Faults of the parts around a release: the controller dies, Prometheus goes away.
    @Suite("Faults") struct FaultTests {
        @Test("the controller SIGKILLed mid-canary and started again continues where it was")
        func controllerKilledMidCanary() async throws {
            try await EndToEndCluster.run { cluster in
                var manifest = cluster.rolloutManifest()
                manifest.steps = [(20, "4s"), (50, "1s")]
                let blue = try await cluster.deployFirst(manifest)

                manifest.image = "registry.example.com/payment:1.4.3"
                let canary = try await cluster.release(manifest, until: "canary step 1 under way") {
                    $0.status?.phase == .canary && $0.status?.currentStepIndex == 0 && $0.status?.stepStartedAt != nil
                }
                let green = try #require(canary.status?.greenRevision)
                let stepStarted = try #require(canary.status?.stepStartedAt)
                let first = try #require(cluster.controllerProcesses.first)
                await first.stop(signal: SIGKILL)
                #expect(!first.isRunning)
                let killedAt = Date()

                let second = try await cluster.startController("controller-restarted")
                let done = try await cluster.monitor.waitForRollout("payment", "Healthy on green", timeout: .seconds(90)) {
                    $0.status?.phase == .healthy && $0.status?.activeRevision == green
                }
                #expect(try await cluster.selectedRevision() == green)
                #expect(try await cluster.replicas(of: blue) == "0")

                let model = cluster.monitor.model()
                let release = model.statuses("payment").filter { $0.status.greenRevision == green }
                let steps = release.compactMap { $0.status.phase == .canary ? $0.status.currentStepIndex : nil }
                #expect(steps == steps.sorted(), "the step never goes back: \(steps)")
                #expect(Set(steps) == [0, 1], "no step lost or skipped: \(steps)")
                let firstStepStarts = Set(release.compactMap { $0.status.currentStepIndex == 0 ? $0.status.stepStartedAt : nil })
                #expect(firstStepStarts == [stepStarted], "the first step's window was not restarted: \(firstStepStarts)")
                let phases = model.release("payment", green: green).compactMap(\.phase)
                #expect(!phases.drop { $0 != .canary }.contains(.progressing), "never back to Progressing: \(phases)")
                #expect(done.status?.activeRevision == green)
                #expect(model.deployments(of: "payment").count == 2, "one Deployment per revision")
                #expect(model.timeline.creations.values.allSatisfy { $0 == 1 }, "each created once: \(model.timeline.creations)")
                #expect(!second.log.contains("created Deployment"), "the restarted controller adopted green, it did not create it")
                #expect(model.firstTime("payment", reached: .healthy, after: killedAt) != nil)
            }
        }

        @Test("Prometheus stopped during the canary: no promotion; errorLimit errors count as a breach and revert")
        func prometheusStoppedDuringCanary() async throws {
            try await EndToEndCluster.run { cluster in
                var manifest = cluster.rolloutManifest()
                manifest.errorLimit = 2
                manifest.queryTimeout = "1s"
                let blue = try await cluster.deployFirst(manifest)

                manifest.image = "registry.example.com/payment:1.4.3"
                let canary = try await cluster.release(manifest, until: "Canary") { $0.status?.phase == .canary }
                let green = try #require(canary.status?.greenRevision)
                await cluster.stopPrometheus()
                let stoppedAt = Date()

                let reverted = try await cluster.monitor.waitForPhase("payment", .rolledBack)
                #expect(try await cluster.get("rollout/payment", jsonpath: "{.status.abort.reason}") == "AnalysisError")
                #expect(try await cluster.get("rollout/payment", jsonpath: "{.status.abort.metric}") == "error-rate")
                let why = reverted.status?.abort?.message ?? ""
                #expect(why.contains("error-rate") && why.contains("Prometheus"), "the abort says why: \(why)")
                #expect(try await cluster.selectedRevision() == blue)
                try await cluster.waitForReplicas(of: green, "0")

                let history = reverted.status?.analysis?.first { $0.name == "error-rate" }?.history ?? []
                let errors = history.filter { $0.revision == green && $0.verdict == .error && $0.at.date >= stoppedAt.addingTimeInterval(-1) }
                #expect(errors.count >= 2, "errorLimit 2 errors in a row before the revert: \(history)")
                let model = cluster.monitor.model()
                let afterStop = model.statuses("payment").filter { $0.at >= stoppedAt }.map(\.status)
                #expect(
                    !afterStop.contains { [.promoting, .holdWindow, .healthy].contains($0.phase) },
                    "no promotion without Prometheus: \(afterStop.map { $0.phase?.rawValue ?? "-" })")
                #expect(afterStop.allSatisfy { ($0.weight ?? 0) < 100 })
            }
        }
    }
}
