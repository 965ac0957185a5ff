import ClusterHarness
import Cutover
@testable import CutoverController
import Foundation
import SimulatorHarness
import KubeAPI
import Logging
import Testing

@Suite("Measurements in the background", .timeLimit(.minutes(1)))
struct AnalysisRunnerTests {
    /// The controller's background work, as the Rollout reconciler wires it.
    /// `client` is never called (no promotion check runs here); shut it down after the test.
    static func effects(_ runner: AnalysisRunner, webhooks: WebhookClient = WebhookClient(), client: KubeClient) -> ReleaseEffects {
        ReleaseEffects(
            runner: runner, hookRunner: HookRunner(client: webhooks, secrets: NoSecrets()),
            notifier: Notifier(client: webhooks, secrets: NoSecrets()),
            reader: PromotionReader(client: client, secrets: NoSecrets(), logger: Logger(label: "test")))
    }

    /// A hung Prometheus holds one Rollout's metric for its timeout; meanwhile the same metric is
    /// not measured twice, and another Rollout (whose Prometheus hangs too, with a shorter timeout)
    /// is measured and finished while the first is still waiting.
    @Test func oneMeasurementPerMetricAtATimeAndOtherRolloutsAreNotHeldUp() async throws {
        let hung = try BlackHoleListener()
        let alsoHung = try BlackHoleListener()
        let runner = AnalysisRunner(secrets: NoSecrets())
        let client = try KubeClient(config: KubeConfig(server: "http://127.0.0.1:1"))
        let effects = Self.effects(runner, client: client)
        let slow = AnalysisFixture.rollout("slow", prometheus: PrometheusSource(address: hung.address, timeout: "5s"))
        let other = AnalysisFixture.rollout("other", prometheus: PrometheusSource(address: alsoHung.address, timeout: "1s"))
        let slowKey = RolloutKey(slow), otherKey = RolloutKey(other)
        let slowMetric = MeasurementWork.ID(owner: slowKey, metric: "error-rate")
        let woken = Box<[RolloutKey]>([])
        let running = Task { await effects.run { key in woken.update { $0.append(key) } } }
        let started = ContinuousClock.now

        effects.measure([AnalysisFixture.query("error-rate", "up")], of: slow)
        _ = try await eventually("the slow measurement to start", timeout: .seconds(2)) {
            await effects.measurements.isPending(slowMetric) ? (true, "") : (nil, "not measuring")
        }
        effects.measure([AnalysisFixture.query("error-rate", "up")], of: slow)  // while it runs: dropped
        effects.measure([AnalysisFixture.query("error-rate", "up")], of: other)

        _ = try await eventually("the other Rollout's measurement", timeout: .seconds(1) + schedulingSlack) {
            (woken.get.contains(otherKey) ? true : nil, "woken \(woken.get)")
        }
        #expect(await effects.take(otherKey).measurements.map(\.value) == [.error("Prometheus did not answer within 1s")])
        #expect(await effects.measurements.isPending(slowMetric), "the other Rollout waited for the slow one")

        _ = try await eventually("the slow measurement", timeout: .seconds(5) + schedulingSlack) {
            (woken.get.contains(slowKey) ? true : nil, "woken \(woken.get)")
        }
        let elapsed = ContinuousClock.now - started
        #expect(elapsed >= .seconds(5) && elapsed < .seconds(5) + schedulingSlack, "the hung query took \(elapsed)")
        #expect(await effects.take(slowKey).measurements.map(\.value) == [.error("Prometheus did not answer within 5s")])
        #expect(await !effects.measurements.isPending(slowMetric), "no second measurement of the metric was queued")
        running.cancel()
        await running.value
        await runner.shutdown()
        try await client.shutdown()
        withExtendedLifetime((hung, alsoHung)) {}
    }

    @Test func submittedMeasurementsWaitForTheNextReconcileAndFeedTheObserver() async throws {
        let address = "http://127.0.0.1:\(try freeLoopbackPort())"
        let observer = CollectingObserver()
        let runner = AnalysisRunner(secrets: NoSecrets(), observer: observer)
        let client = try KubeClient(config: KubeConfig(server: "http://127.0.0.1:1"))
        let effects = Self.effects(runner, client: client)
        let rollout = AnalysisFixture.rollout(prometheus: PrometheusSource(address: address, timeout: "1s"))
        let key = RolloutKey(rollout)
        let (ready, readyInput) = AsyncStream.makeStream(of: RolloutKey.self)

        await withTaskGroup(of: Void.self) { group in
            group.addTask { await effects.run { readyInput.yield($0) } }
            effects.measure([AnalysisFixture.query("error-rate", "up"), AnalysisFixture.query("latency", "up")], of: rollout)
            var seenKeys: [RolloutKey] = []
            var taken: [Measurement] = []
            for await notified in ready {
                seenKeys.append(notified)
                taken += await effects.take(notified).measurements
                await effects.commit(notified)
                if taken.count == 2 { break }
            }
            #expect(Set(seenKeys) == [key])
            #expect(taken.map(\.metric).sorted() == ["error-rate", "latency"])
            #expect(await effects.take(key).measurements.isEmpty)

            let seen = Dictionary(uniqueKeysWithValues: observer.measurements.map { ($0.1.metric, $0.1) })
            #expect(seen["error-rate"]?.value.errorMessage != nil)
            #expect(seen["latency"]?.value.errorMessage?.contains("cannot reach Prometheus") == true)
            #expect(observer.measurements.count == 2)
            #expect(observer.measurements.allSatisfy { $0.0 == key })
            group.cancelAll()
        }
        await runner.shutdown()
        try await client.shutdown()
    }

    @Test func aRolloutWithoutPrometheusGetsErrorsNotACrash() async {
        let runner = AnalysisRunner(secrets: NoSecrets())
        var rollout = AnalysisFixture.rollout(prometheus: PrometheusSource(address: "http://x"))
        rollout.spec.analysis?.prometheus = nil
        let result = await runner.measure([AnalysisFixture.query("error-rate", "up", baseline: "up")], for: rollout)
        await runner.shutdown()
        guard case .error(let message)? = result.first?.value, case .error? = result.first?.baseline else {
            Issue.record("expected errors, got \(result)"); return
        }
        #expect(message.contains("address"))
    }
}

/// A reader for Rollouts that name no Secrets: any read is a test failure.
struct NoSecrets: SecretReader {
    func secretData(namespace: String, name: String) async throws -> [String: [UInt8]] {
        Issue.record("unexpected Secret read \(namespace)/\(name)")
        return [:]
    }
}
