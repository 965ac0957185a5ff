import Cutover
import Foundation
import KubeModels
import Testing
@testable import ClusterHarness

extension EndToEnd {
    /// Whole releases with the real binaries: a good one goes all the way, a bad one and one that
    /// never gets ready are reverted by the controller alone.
    @Suite("Releases") struct ReleaseTests {
        @Test("a good release: canary 20% → 50% → cutover → hold window → blue at 0 → Healthy")
        func goodRelease() async throws {
            try await EndToEndCluster.run { cluster in
                var manifest = cluster.rolloutManifest()
                let blue = try await cluster.deployFirst(manifest)

                manifest.image = "registry.example.com/payment:1.4.3"
                let done = try await cluster.release(manifest, until: "Healthy on the new revision") {
                    $0.status?.phase == .healthy && $0.status?.activeRevision != blue
                }
                let green = try #require(done.status?.activeRevision)

                #expect(try await cluster.get("rollout/payment", jsonpath: "{.status.phase}") == "Healthy")
                #expect(
                    try await cluster.get("rollout/payment", jsonpath: #"{.status.conditions[?(@.type=="Completed")].status}"#) == "True")
                #expect(try await cluster.selectedRevision() == green)
                #expect(try await cluster.replicas(of: green) == "3")
                #expect(try await cluster.replicas(of: blue) == "0", "blue is scaled to 0 once the hold window is over")

                let model = cluster.monitor.model()
                let release = model.release("payment", green: green)
                let weights = release.compactMap(\.weight).reduce(into: [Int32]()) { if $0.last != $1 { $0.append($1) } }
                #expect(weights.filter { $0 > 0 } == [20, 50, 100], "weights in order: \(weights)")
                let phases = release.compactMap(\.phase).reduce(into: [RolloutPhase]()) { if $0.last != $1 { $0.append($1) } }
                // Promoting is skipped when the last step already runs green at full size (50% of 3 + 3).
                #expect(phases.filter { $0 != .promoting } == [.progressing, .canary, .holdWindow, .healthy], "phases: \(phases)")
                #expect(
                    model.selectorHistory("payment").drop { $0 == .wide } == [.revision(blue), .wide, .revision(green)],
                    "the active Service: blue, split, green")

                // Blue stays at full size through the hold window and only then goes to 0.
                let hold = try #require(model.statuses("payment").first { $0.status.phase == .holdWindow }?.status)
                let holdUntil = try #require(hold.holdUntil)
                let scaledDown = try #require(model.timeline.replicas["payment-\(blue)"]?.last { $0.replicas == 0 }?.at)
                #expect(scaledDown >= holdUntil.date, "blue scaled down at \(scaledDown), hold window until \(holdUntil)")
                #expect(model.timeline.creations.count == 2, "one Deployment per revision: \(model.timeline.creations)")
            }
        }

        @Test("a bad release (20% errors) is reverted within one interval plus a second of the breach, explained in status and an Event")
        func badReleaseIsReverted() async throws {
            try await EndToEndCluster.run { cluster in
                var manifest = cluster.rolloutManifest()
                let blue = try await cluster.deployFirst(manifest)

                manifest.image = "registry.example.com/payment:1.5.0"
                manifest.podAnnotations["sim.cutover.dev/error-rate"] = "0.2"
                let reverted = try await cluster.release(manifest, until: "RolledBack") { $0.status?.phase == .rolledBack }
                let green = try #require(reverted.status?.rolledBackRevision)

                // What a user reads with kubectl.
                #expect(try await cluster.get("rollout/payment", jsonpath: "{.status.abort.reason}") == "AnalysisBreach")
                #expect(try await cluster.get("rollout/payment", jsonpath: "{.status.abort.metric}") == "error-rate")
                #expect(try await cluster.get("rollout/payment", jsonpath: "{.status.abort.limit}") == "0.05")
                let value = try #require(Double(try await cluster.get("rollout/payment", jsonpath: "{.status.abort.value}")))
                // Green answers 20% errors, but the first measurement of a young series reads lower:
                // the 5xx series starts with the first error, so rate() extrapolates it over a
                // shorter span than the total (0.099 was seen on CI). It breached the 0.05 limit.
                #expect(value > 0.05 && value < 0.3, "green answers 20% errors; measured \(value)")
                #expect(try await cluster.selectedRevision() == blue)
                try await cluster.waitForReplicas(of: green, "0")

                let event = try #require(
                    try await cluster.events().first { $0.reason == "RolledBack" },
                    "a RolledBack Event on the Rollout")
                #expect(event.type == "Warning")
                let message = event.message ?? ""
                #expect(message.contains("error-rate") && message.contains("0.05"), "event message: \(message)")
                let numbers = message.split(whereSeparator: { " :,()=<>≤".contains($0) }).compactMap { Double($0) }
                #expect(numbers.contains { abs($0 - value) < 0.001 }, "the event names the value \(value): \(message)")

                // Timing: the breach measurement, then the active Service back on blue.
                let model = cluster.monitor.model()
                let history = reverted.status?.analysis?.first { $0.name == "error-rate" }?.history ?? []
                #expect(!history.contains { $0.revision == green && $0.verdict == .pass }, "never passed: \(history)")
                let breach = try #require(history.last { $0.revision == green && $0.verdict == .breach })
                let served = try #require(model.firstTime("payment", selects: .revision(blue)))
                let canary = try #require(model.firstTime("payment", selects: .wide, after: served))
                let revert = try #require(model.firstTime("payment", selects: .revision(blue), after: canary))
                // `at` is whole seconds (rounded down), hence the extra second.
                let allowed = manifest.intervalSeconds + 1 + 1
                let latency = revert.timeIntervalSince(breach.at.date)
                print("e2e bad release: breach measured at \(breach.at), active Service back on blue \(latency)s later; canary lasted \(revert.timeIntervalSince(canary))s")
                #expect(latency <= allowed, "reverted \(latency)s after the breach measurement, allowed \(allowed)s")
                #expect(model.release("payment", green: green).allSatisfy { $0.phase != .promoting && $0.phase != .holdWindow })
            }
        }

        @Test("a green that never gets ready is reverted at the progress deadline and never receives traffic")
        func neverReadyGreenIsReverted() async throws {
            try await EndToEndCluster.run { cluster in
                var manifest = cluster.rolloutManifest()
                let blue = try await cluster.deployFirst(manifest)

                manifest.image = "registry.example.com/payment:1.6.0"
                manifest.podAnnotations = ["sim.cutover.dev/never-ready": "true"]
                manifest.progressDeadlineSeconds = 4
                let reverted = try await cluster.release(manifest, until: "RolledBack") { $0.status?.phase == .rolledBack }
                let green = try #require(reverted.status?.rolledBackRevision)
                #expect(try await cluster.get("rollout/payment", jsonpath: "{.status.abort.reason}") == "ProgressDeadlineExceeded")
                #expect(try await cluster.selectedRevision() == blue)

                let model = cluster.monitor.model()
                let deadline = try #require(
                    model.statuses("payment").compactMap { $0.status.greenRevision == green ? $0.status.progressDeadline : nil }.last)
                let revertedAt = try #require(model.firstTime("payment", reached: .rolledBack))
                print("e2e never ready: progress deadline \(deadline), reverted \(revertedAt.timeIntervalSince(deadline.date))s after it")
                #expect(revertedAt >= deadline.date, "not before the deadline")
                #expect(revertedAt.timeIntervalSince(deadline.date) <= 3, "reverted at \(revertedAt), deadline \(deadline)")
                #expect(
                    model.selectorHistory("payment").drop { $0 == .wide } == [.revision(blue)],
                    "the active Service only ever selected blue: \(model.selectorHistory("payment"))")
                #expect(!(model.timeline.servedRevisions["payment"] ?? []).contains(green))

                // Prometheus saw blue's traffic (it is scraping), and not one request to green.
                let prometheus = try #require(cluster.prometheus)
                _ = try await eventually("Prometheus to have blue's requests", timeout: .seconds(30), interval: .milliseconds(500)) {
                    let total = try await prometheus.value(of: #"sum(http_requests_total{namespace="shop",revision="\#(blue)"})"#)
                    return ((total ?? 0) > 0 ? true : nil, "blue total \(total.map { "\($0)" } ?? "absent")")
                }
                let greenTotal = try await prometheus.value(of: #"sum(http_requests_total{namespace="shop",revision="\#(green)"})"#)
                #expect((greenTotal ?? 0) == 0, "green's http_requests_total is \(greenTotal.map { "\($0)" } ?? "absent")")
            }
        }
    }
}

extension EndToEndCluster {
    /// Waits until a revision's Deployment has `spec.replicas` == `replicas` (read with kubectl).
    func waitForReplicas(of revision: String, _ replicas: String, timeout: Duration = .seconds(30)) async throws {
        _ = try await eventually("payment-\(revision) to have \(replicas) replicas", timeout: timeout, interval: .milliseconds(250)) {
            let now = try await self.replicas(of: revision)
            return (now == replicas ? true : nil, "replicas \(now)")
        }
    }
}
