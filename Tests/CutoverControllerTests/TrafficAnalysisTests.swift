import ClusterHarness
import Cutover
import CutoverController
import Foundation
import KubeModels
import KubeSim
import Logging
import Prometheus
import Testing

/// The whole path: KubeSim serves simulated traffic on `/metrics`, a real Prometheus scrapes it
/// every second, the runner measures rendered metric templates.
@Suite("Analysis of simulated traffic", .timeLimit(.minutes(1)))
struct TrafficAnalysisTests {
    /// The error ratio, as a user would write it: `or vector(0)` because a revision without errors
    /// has no `code="500"` series at all.
    static let errorRatio = """
        (sum(rate(http_requests_total{namespace="{{namespace}}",service="{{service}}",revision="{{green}}",code=~"5.."}[{{interval}}])) or vector(0))
        / sum(rate(http_requests_total{namespace="{{namespace}}",service="{{service}}",revision="{{green}}"}[{{interval}}]))
        """
    static let blueErrorRatio = errorRatio.replacingOccurrences(of: "{{green}}", with: "{{blue}}")

    @Test func greenAtTwentyPercentErrorsReadsBackPointTwoAndBlueZero() async throws {
        var options = KubeSim.Options()
        options.plainHTTP = true
        options.tickInterval = .milliseconds(100)
        let sim = try await KubeSim.start(options)
        do {
            try await Self.deploy(on: sim)
            try await PrometheusServer.with(scraping: ["127.0.0.1:\(sim.port)"]) { prometheus in
                // Every series of both revisions has filled a whole 5s window.
                let client = try PrometheusClient(configuration: PrometheusConfiguration(address: prometheus.baseURL))
                do {
                    _ = try await eventually("five seconds of scraped traffic for blue and green", timeout: .seconds(45)) {
                        let response = try? await client.query(
                            #"min(count_over_time(http_requests_total{namespace="prod",code="200"}[5s])) >= 5 and count(count by (revision) (http_requests_total{namespace="prod"})) == 2"#,
                            at: Date())
                        if case .vector(let samples)? = response?.result, !samples.isEmpty { return (true, "") }
                        return (nil, String(describing: response?.result))
                    }
                } catch {
                    try? await client.shutdown()
                    throw error
                }
                try await client.shutdown()

                let variables = [
                    "namespace": "prod", "rollout": "payment", "green": "green1", "blue": "blue1", "service": "payment", "interval": "5s",
                ]
                let queries = [
                    MetricQuery(
                        metric: "error-rate", revision: "green1", address: prometheus.baseURL,
                        query: QueryTemplate.render(Self.errorRatio, variables: variables),
                        baseline: QueryTemplate.render(Self.blueErrorRatio, variables: variables)),
                    MetricQuery(
                        metric: "idle-error-rate", revision: "idle1", address: prometheus.baseURL,
                        query: QueryTemplate.render(Self.errorRatio, variables: variables.merging(["green": "idle1"]) { $1 })),
                ]
                let runner = AnalysisRunner(secrets: NoSecrets())
                let rollout = AnalysisFixture.rollout(prometheus: PrometheusSource(address: prometheus.baseURL))
                let results = await runner.measure(queries, for: rollout)
                await runner.shutdown()

                let errorRate = try #require(results.first { $0.metric == "error-rate" })
                guard case .value(let green) = errorRate.value, case .value(let blue)? = errorRate.baseline else {
                    Issue.record("no numbers: \(errorRate)"); return
                }
                Logger(label: "cutover.tests").info("read back error ratios: green \(green), blue \(blue)")
                #expect(abs(green - 0.2) <= 0.03, "green error ratio \(green)")
                #expect(blue == 0, "blue error ratio \(blue)")
                #expect(errorRate.revision == "green1")
                // A revision whose pods get no traffic has no series: no data, not 0.
                #expect(results.first { $0.metric == "idle-error-rate" }?.value == .noData)
            }
            try await sim.stop()
        } catch {
            try? await sim.stop()
            throw error
        }
    }

    /// Blue and green (3 pods each, green failing 20%) behind one Service at 5000 requests/s, and an
    /// idle revision no Service selects.
    static func deploy(on sim: KubeSim) async throws {
        try await create(sim, "/api/v1/namespaces", ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "prod"]])
        for (revision, app, errorRate) in [("blue1", "payment", "0"), ("green1", "payment", "0.2"), ("idle1", "idle", "0")] {
            let labels: JSONValue = ["app": .string(app), "cutover.dev/revision": .string(revision)]
            try await create(sim, "/apis/apps/v1/namespaces/prod/deployments", [
                "apiVersion": "apps/v1", "kind": "Deployment",
                "metadata": ["name": .string("payment-\(revision)"), "namespace": "prod"],
                "spec": [
                    "replicas": 3,
                    "selector": ["matchLabels": labels],
                    "template": [
                        "metadata": [
                            "labels": labels,
                            "annotations": ["sim.cutover.dev/error-rate": .string(errorRate), "sim.cutover.dev/ready-after": "200ms"],
                        ],
                        "spec": ["containers": [["name": "app", "image": "payment:1"]]],
                    ],
                ],
            ])
        }
        // 5000 rps (2500 per revision) so a 5s window holds ~12500 green requests: the binomial
        // spread of the ratio is then ±0.0036, far inside the ±0.03 asked for (with 200 rps it
        // would be ±0.02, and the test would fail now and then by chance alone).
        try await create(sim, "/api/v1/namespaces/prod/services", [
            "apiVersion": "v1", "kind": "Service",
            "metadata": ["name": "payment", "namespace": "prod", "annotations": ["sim.cutover.dev/rps": "5000"]],
            "spec": ["selector": ["app": "payment"], "ports": [["port": 80, "targetPort": 8080]]],
        ])
    }

    static func create(_ sim: KubeSim, _ path: String, _ body: JSONValue) async throws {
        let (status, answer) = await sim.request("POST", path, body: body)
        guard status == 201 || status == 200 else {
            throw WaitTimedOut(description: "POST \(path) answered \(status): \(answer)")
        }
    }
}
