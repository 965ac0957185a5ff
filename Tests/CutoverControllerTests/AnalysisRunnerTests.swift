import Cutover
import CutoverController
import Foundation
import SimulatorHarness
import KubeAPI
import Testing

@Suite("AnalysisRunner scheduling", .timeLimit(.minutes(1)))
struct AnalysisRunnerTests {
    /// A hung Prometheus holds one Rollout's metric for its timeout; meanwhile the same metric is
    /// not measured twice, and another Rollout (whose Prometheus hangs too, with a shorter timeout)
    /// is measured and finished while the first is still waiting.
    @Test func oneMeasurementPerMetricAtATimeAndOtherRolloutsAreNotHeldUp() async throws {
        let hung = try BlackHoleListener()
        let alsoHung = try BlackHoleListener()
        let runner = AnalysisRunner(secrets: NoSecrets())
        let slow = AnalysisFixture.rollout("slow", prometheus: PrometheusSource(address: hung.address, timeout: "5s"))
        let other = AnalysisFixture.rollout("other", prometheus: PrometheusSource(address: alsoHung.address, timeout: "1s"))
        let slowKey = RolloutKey(slow)
        let started = ContinuousClock.now

        async let first = runner.measure([AnalysisFixture.query("error-rate", "up")], for: slow)
        _ = try await eventually("the slow measurement to start", timeout: .seconds(2)) {
            await runner.isMeasuring(slowKey, metric: "error-rate") ? (true, "") : (nil, "not measuring")
        }

        let again = await runner.measure([AnalysisFixture.query("error-rate", "up")], for: slow)
        #expect(again.isEmpty, "a metric in flight was measured a second time")

        let otherResult = await runner.measure([AnalysisFixture.query("error-rate", "up")], for: other)
        #expect(otherResult.map(\.value) == [.error("Prometheus did not answer within 1s")])
        #expect(await runner.isMeasuring(slowKey, metric: "error-rate"), "the other Rollout waited for the slow one")

        let slowResult = await first
        let elapsed = ContinuousClock.now - started
        #expect(elapsed >= .seconds(5) && elapsed < .seconds(5) + schedulingSlack, "the hung query took \(elapsed)")
        #expect(slowResult.map(\.value) == [.error("Prometheus did not answer within 5s")])
        #expect(await !runner.isMeasuring(slowKey, metric: "error-rate"))
        await runner.shutdown()
        withExtendedLifetime((hung, alsoHung)) {}
    }

    @Test func submittedMeasurementsWaitForTheNextReconcileAndFeedTheObserver() async throws {
        let address = "http://127.0.0.1:\(try freeLoopbackPort())"
        let observer = CollectingObserver()
        let runner = AnalysisRunner(secrets: NoSecrets(), observer: observer)
        let rollout = AnalysisFixture.rollout(prometheus: PrometheusSource(address: address, timeout: "1s"))
        let key = RolloutKey(rollout)
        let (ready, readyInput) = AsyncStream.makeStream(of: RolloutKey.self)

        await withTaskGroup(of: Void.self) { group in
            group.addTask { await runner.run { readyInput.yield($0) } }
            runner.submit([AnalysisFixture.query("error-rate", "up"), AnalysisFixture.query("latency", "up")], for: rollout)
            var seenKeys: [RolloutKey] = []
            var taken: [Measurement] = []
            for await notified in ready {
                seenKeys.append(notified)
                taken += await runner.takeMeasurements(for: notified)
                if taken.count == 2 { break }
            }
            #expect(Set(seenKeys) == [key])
            #expect(taken.map(\.metric).sorted() == ["error-rate", "latency"])
            #expect(await runner.takeMeasurements(for: key).isEmpty)

            let readings = await runner.readings()[key] ?? [:]
            #expect(readings["error-rate"]?.errors == 1)
            #expect(readings["error-rate"]?.value == nil)
            #expect(readings["latency"]?.lastError?.contains("cannot reach Prometheus") == true)
            #expect(observer.measurements.count == 2)
            #expect(observer.measurements.allSatisfy { $0.0 == key })

            await runner.forget(key)
            #expect(await runner.readings()[key] == nil)
            group.cancelAll()
        }
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
