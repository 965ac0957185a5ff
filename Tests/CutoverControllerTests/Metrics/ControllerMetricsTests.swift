import Cutover
import Foundation
import KubeModels
import Testing

@testable import CutoverController
@testable import KubeAPI

@Suite("Controller metrics: families, bounded series, release outcomes")
struct ControllerMetricsTests {
    static func measurement(_ metric: String, revision: String = "green1", value: Measurement.Sample) -> Measurement {
        Measurement(metric: metric, revision: revision, at: Date(), value: value)
    }

    @Test func aFreshRegistryIsValidExpositionWithEveryFamilyDescribed() throws {
        let metrics = ControllerMetrics()
        metrics.update(queueDepth: 3, phases: ["Canary": 2], groupPhases: ["RolledBack": 1], isLeader: true)
        metrics.recordGroup(.reverted(revision: "r", reason: "AnalysisBreach"))
        metrics.recordGroup(.promoted(revision: "q"))
        metrics.observe(KubeClient.RequestRecord(verb: "GET", code: 200, seconds: 0.01))
        metrics.reconciled(in: .milliseconds(12), error: KubeError.transport(method: "GET", path: "/", reason: "refused"))
        metrics.record(.reverted(revision: "abc", reason: "AnalysisBreach"))
        metrics.measured(Self.measurement("error-rate", value: .value(0.25)), rollout: RolloutKey(namespace: "prod", name: "web"))
        metrics.webhookFinished(kind: "notification", succeeded: false)
        metrics.webhookFinished(kind: "preCutover", succeeded: true)
        let text = Exposition(metrics.exposition())
        #expect(text.value("cutover_workqueue_depth") == 3)
        #expect(text.value("cutover_rollouts", ["phase": "Canary"]) == 2)
        #expect(text.value("cutover_rollouts", ["phase": "Healthy"]) == 0)
        #expect(text.value("cutover_rollouts", ["phase": ControllerMetrics.unknownPhase]) == 0)
        #expect(text.value("cutover_release_groups", ["phase": "RolledBack"]) == 1)
        #expect(text.value("cutover_release_groups", ["phase": "Healthy"]) == 0)
        #expect(text.value("cutover_group_reverts_total", ["reason": "AnalysisBreach"]) == 1)
        #expect(text.value("cutover_group_promotions_total") == 1)
        #expect(text.value("cutover_leader") == 1)
        #expect(text.value("cutover_kube_api_requests_total", ["verb": "GET", "code": "200"]) == 1)
        #expect(text.value("cutover_reconcile_errors_total", ["reason": "Transport"]) == 1)
        #expect(text.value("cutover_reconcile_duration_seconds_count") == 1)
        #expect(text.value("cutover_reverts_total", ["reason": "AnalysisBreach"]) == 1)
        #expect(text.value("cutover_analysis_last_value", ["namespace": "prod", "rollout": "web", "metric": "error-rate"]) == 0.25)
        #expect(text.value("cutover_webhooks_total", ["kind": "notification", "result": "failure"]) == 1)
        #expect(text.value("cutover_webhooks_total", ["kind": "preCutover", "result": "success"]) == 1)
        let check = try Promtool.check(text.text)
        #expect(check.ok, "promtool check metrics: \(check.output)\n\(text.text)")
    }

    @Test func tenThousandRolloutsCostOneSeriesPerMetricAndNoneOnceTheirReleasesEnd() throws {
        let metrics = ControllerMetrics()
        let keys = (0..<10_000).map { RolloutKey(namespace: "ns\($0 % 50)", name: "app\($0)") }
        for key in keys {
            metrics.measured(Self.measurement("error-rate", value: .value(0.1)), rollout: key)
        }
        for key in keys.prefix(100) {  // repeated and further metrics replace values or add one series each
            metrics.measured(Self.measurement("error-rate", value: .value(0.2)), rollout: key)
            metrics.measured(Self.measurement("latency-p99", value: .value(0.3)), rollout: key)
        }
        #expect(metrics.perRolloutSeriesCount == 10_100)
        let full = Exposition(metrics.exposition())
        #expect(full.all("cutover_analysis_last_value").count == 10_100)
        #expect(full.value("cutover_analysis_last_value", ["rollout": "app7", "metric": "error-rate"]) == 0.2)
        for key in keys.prefix(5_000) { metrics.releaseEnded(key, revision: "green1") }
        for key in keys.suffix(5_000) { metrics.forget(key) }
        #expect(metrics.perRolloutSeriesCount == 0)
        let text = metrics.exposition()
        #expect(!text.contains("cutover_analysis_last_value{"), "no per-Rollout series left")
        #expect(text.utf8.count < 10_000, "the exposition is back to its fixed size: \(text.utf8.count) bytes")
    }

    @Test func aLateMeasurementOfAnEndedReleaseDoesNotComeBack() {
        let metrics = ControllerMetrics()
        let key = RolloutKey(namespace: "prod", name: "web")
        metrics.measured(Self.measurement("error-rate", revision: "green1", value: .value(0.1)), rollout: key)
        metrics.releaseEnded(key, revision: "green1")
        metrics.measured(Self.measurement("error-rate", revision: "green1", value: .value(0.1)), rollout: key)
        #expect(metrics.perRolloutSeriesCount == 0)
        metrics.measured(Self.measurement("error-rate", revision: "green2", value: .value(0.3)), rollout: key)
        #expect(metrics.perRolloutSeriesCount == 1, "the next release is measured again")
    }

    @Test func failedAndEmptyMeasurementsKeepTheLastValueAndCountErrors() {
        let metrics = ControllerMetrics()
        let key = RolloutKey(namespace: "prod", name: "web")
        metrics.measured(Self.measurement("error-rate", value: .value(0.1)), rollout: key)
        metrics.measured(Self.measurement("error-rate", value: .error("connection refused")), rollout: key)
        metrics.measured(Self.measurement("error-rate", value: .noData), rollout: key)
        let text = Exposition(metrics.exposition())
        #expect(text.value("cutover_analysis_last_value", ["rollout": "web"]) == 0.1)
        #expect(text.value("cutover_analysis_measurement_errors_total") == 1)
    }

    @Test func failureReasonsAreABoundedVocabulary() {
        let conflict = KubeError(status: Status(reason: "Conflict", code: 409))
        #expect(ControllerMetrics.reason(of: conflict) == "Conflict")
        #expect(ControllerMetrics.reason(of: KubeError(status: Status(reason: "ServiceUnavailable", code: 503))) == "ServerError")
        #expect(ControllerMetrics.reason(of: KubeError.decoding(what: "Rollout", reason: "x")) == "Decoding")
        #expect(ControllerMetrics.reason(of: CancellationError()) == "Cancelled")
        struct Odd: Error {}
        #expect(ControllerMetrics.reason(of: Odd()) == "Other")
    }
}
