import ClusterHarness
import Cutover
import CutoverController
import Foundation
import KubeAPI
import KubeModels
import KubeRuntime
import KubeSim
import Synchronization
import Testing

/// A status write that loses a race (409 Conflict) must not lose the measurements it carried:
/// the controller puts them back into the runner and the next status write records them.
@Suite("Measurements survive a conflicting status write", .serialized, .timeLimit(.minutes(2)))
struct MeasurementConflictTests {
    /// Every measurement the runner took, and every API response code per verb of the controller.
    final class Seen: AnalysisObserver, Sendable {
        let measurements = Mutex<[Measurement]>([])
        let requests = Mutex<[(verb: String, code: Int)]>([])
        func measurementTaken(_ measurement: Measurement, rollout: RolloutKey, duration: Duration) {
            measurements.withLock { $0.append(measurement) }
        }
        var conflicts: Int { requests.withLock { $0.filter { $0.verb == "PUT" && $0.code == 409 }.count } }
    }

    @Test func aMeasurementInAConflictingStatusWriteIsRecordedByTheNextOne() async throws {
        try await PrometheusServer.with(scraping: []) { prometheus in
            try await withControllerCluster { sim, client, _ in
                let seen = Seen()
                let config = client.config
                var options = ControllerRuns.clientOptions
                options.observer = { record in seen.requests.withLock { $0.append((record.verb, record.code)) } }
                let controllerClient = try KubeClient(config: config, options: options)
                let controller = Controller(
                    RolloutController(
                        client: controllerClient, runner: AnalysisRunner(secrets: NoSecrets(), observer: seen),
                        recorder: EventRecorder(client: controllerClient, component: "cutover-controller")),
                    configuration: .init(workers: 2))
                let running = Task { _ = try? await controller.run() }
                do {
                    try await Self.exercise(sim: sim, client: client, prometheus: prometheus.baseURL, seen: seen)
                    running.cancel()
                    await running.value
                    try? await controllerClient.shutdown()
                } catch {
                    running.cancel()
                    await running.value
                    try? await controllerClient.shutdown()
                    throw error
                }
            }
        }
    }

    static func exercise(sim: KubeSim, client: KubeClient, prometheus: String, seen: Seen) async throws {
        try await ReleaseTests.createService(client)
        _ = try await client.create(try ReleaseFixture.rollout(prometheus: prometheus, query: "vector(0.05)", pause: "1h"))
        let first = try await ReleaseTests.waitHealthy(client)
        let blue = try #require(first.status?.activeRevision)
        try await ReleaseFixture.release(client, image: "example/web:2", query: "vector(0.05)")
        // The canary step holds for an hour, measuring every second.
        let canary = try await eventually("two measurements recorded in the canary step", timeout: .seconds(40)) {
            let rollout = try await client.get(Rollout.self, name: "web", namespace: ReleaseTests.namespace)
            let history = rollout.status?.analysis?.first?.history ?? []
            return (history.count >= 2 && rollout.status?.greenRevision != blue ? rollout : nil,
                    "phase \(rollout.status?.phase?.rawValue ?? "-"), \(history.count) measurements")
        }
        let green = try #require(canary.status?.greenRevision)

        // Hold the controller's next status write (a PUT on rollouts/status) for 1.5 s and change
        // the Rollout's metadata meanwhile: the held write then carries a stale resourceVersion.
        let windowStart = Date().addingTimeInterval(-1.5)
        let rule: JSONValue = ["rules": [["verb": "update", "resource": "rollouts", "count": 1, "latencyMs": 1500]]]
        let (added, answer) = await sim.request("POST", "/sim/faults", body: rule)
        try #require(added == 200 || added == 201, "POST /sim/faults: \(answer)")
        _ = try await eventually("a status write to be held", timeout: .seconds(20)) {
            let (_, faults) = await sim.request("GET", "/sim/faults")
            let left = faults["rules"]?.arrayValue?.count ?? -1
            return (left == 0 ? true : nil, "\(left) rules left")
        }
        let bump: JSONValue = ["metadata": ["labels": ["test.cutover.dev/bump": "1"]]]
        _ = try await client.patch(Rollout.self, name: "web", namespace: ReleaseTests.namespace, patch: .merge(bump))
        _ = try await eventually("the held status write to answer 409 Conflict", timeout: .seconds(20)) {
            (seen.conflicts > 0 ? true : nil, "\(seen.conflicts) conflicts")
        }
        let windowEnd = Date()

        // Every measurement of green taken up to the conflict is in status once later writes succeed.
        let taken = seen.measurements.withLock { $0 }
            .filter { $0.revision == green && $0.at >= windowStart && $0.at <= windowEnd }
        #expect(!taken.isEmpty, "no measurement was taken around the conflicting write")
        let wanted = Set(taken.map { $0.at.timeIntervalSince1970.rounded(.down) })
        _ = try await eventually("every measurement around the conflict to be in status", timeout: .seconds(20)) {
            let rollout = try await client.get(Rollout.self, name: "web", namespace: ReleaseTests.namespace)
            let history = rollout.status?.analysis?.first?.history ?? []
            let recorded = Set(history.filter { $0.revision == green }.map { $0.at.date.timeIntervalSince1970.rounded(.down) })
            let missing = wanted.subtracting(recorded).sorted()
            return (missing.isEmpty ? true : nil, "missing measurements taken at \(missing); recorded \(recorded.sorted())")
        }
        let rollout = try await client.get(Rollout.self, name: "web", namespace: ReleaseTests.namespace)
        let history = rollout.status?.analysis?.first?.history ?? []
        let seconds = history.map { $0.at.date.timeIntervalSince1970.rounded(.down) }
        #expect(Set(seconds).count == seconds.count, "a measurement was recorded twice: \(seconds)")
    }
}

/// Rollouts with one analysis metric against a given Prometheus, for the metrics and conflict tests.
enum ReleaseFixture {
    static func rollout(prometheus: String, query: String, pause: String, image: String = "example/web:1") throws -> Rollout {
        let json = """
            {"apiVersion": "cutover.dev/v1alpha1", "kind": "Rollout",
             "metadata": {"name": "web", "namespace": "\(ReleaseTests.namespace)"},
             "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
               "template": {"metadata": {"labels": {"app": "web"}, "annotations": {"sim.cutover.dev/ready-after": "300ms"}},
                            "spec": {"containers": [{"name": "app", "image": "\(image)"}]}},
               "progressDeadlineSeconds": 30,
               "services": {"active": "web"},
               "strategy": {"canary": {"steps": [{"weight": 50, "pause": "\(pause)"}]}, "approval": "Automatic", "holdWindow": "0s"},
               "analysis": {"prometheus": {"address": "\(prometheus)", "timeout": "5s"}, "interval": "1s",
                            "metrics": [{"name": "error-rate", "query": "\(query)", "max": 0.1}]}}}
            """
        return try JSONDecoder().decode(Rollout.self, from: Data(json.utf8))
    }

    /// Starts a release of `image` whose metric answers `query`, as `kubectl apply` would.
    static func release(_ client: KubeClient, image: String, query: String) async throws {
        let patch: JSONValue = [
            "spec": [
                "template": ["spec": ["containers": [["name": "app", "image": .string(image)]]]],
                "analysis": ["metrics": [["name": "error-rate", "query": .string(query), "max": 0.1]]],
            ]
        ]
        _ = try await client.patch(Rollout.self, name: "web", namespace: ReleaseTests.namespace, patch: .merge(patch))
    }
}
