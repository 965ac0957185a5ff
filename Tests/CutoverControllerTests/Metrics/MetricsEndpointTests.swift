import AsyncHTTPClient
import ClusterHarness
import Cutover
import Foundation
import SimulatorHarness
import KubeAPI
import KubeModels
import Prometheus
import Testing

/// The `cutover-controller` binary against KubeSim, scraped over HTTP by the test and by a real
/// Prometheus, through a promoted and a reverted release.
@Suite("/metrics of the controller binary", .serialized, .timeLimit(.minutes(3)))
struct MetricsEndpointTests {
    static let rollout = ["namespace": "default", "rollout": "web", "metric": "error-rate"]

    @Test func aPromotedAndARevertedReleaseAreCountedAndScrapedByPrometheus() async throws {
        let metricsPort = try freeLoopbackPort()
        let healthPort = try freeLoopbackPort()
        try await withBinaryCluster { _, client, kubeconfig in
            try await PrometheusServer.with(scraping: ["127.0.0.1:\(metricsPort)"]) { prometheus in
                let controller = try ControllerProcess(
                    arguments: controllerArguments(
                        kubeconfig: kubeconfig, leaseName: "metrics-test", healthPort: healthPort, metricsPort: metricsPort))
                defer { controller.kill() }
                try await withHTTPClient { http in
                    do {
                        try await Self.exercise(
                            client: client, http: http, prometheus: prometheus.baseURL, metrics: "http://127.0.0.1:\(metricsPort)/metrics",
                            instance: "127.0.0.1:\(metricsPort)")
                    } catch {
                        Issue.record("controller output:\n\(controller.output)")
                        throw error
                    }
                    controller.send(SIGTERM)
                    let status = await controller.waitForExit(timeout: .seconds(20))
                    #expect(status == 0, "exit status \(status.map(String.init) ?? "none: still running"); output:\n\(controller.output)")
                }
            }
        }
    }

    @Test func oneAddressServesProbesAndMetricsTogetherAndSeparateOnesKeepThemApart() async throws {
        let shared = try freeLoopbackPort()
        let health = try freeLoopbackPort()
        let metrics = try freeLoopbackPort()
        try await withBinaryCluster { _, _, kubeconfig in
            let together = try ControllerProcess(arguments: [
                "--kubeconfig", kubeconfig, "--leader-elect", "off",
                "--health-address", "127.0.0.1:\(shared)", "--metrics-address", "127.0.0.1:\(shared)",
            ])
            defer { together.kill() }
            let apart = try ControllerProcess(arguments: [
                "--kubeconfig", kubeconfig, "--leader-elect", "off",
                "--health-address", "127.0.0.1:\(health)", "--metrics-address", "127.0.0.1:\(metrics)",
            ])
            defer { apart.kill() }
            try await withHTTPClient { http in
                func status(_ port: Int, _ path: String) async -> Int {
                    let response = try? await http.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)"), timeout: .seconds(5))
                    return Int(response?.status.code ?? 0)
                }
                _ = try await eventually("both controllers ready", timeout: .seconds(30)) {
                    let (a, b) = (await status(shared, "/readyz"), await status(health, "/readyz"))
                    return (a == 200 && b == 200 ? true : nil, "/readyz: shared \(a), apart \(b)")
                }
                #expect(await status(shared, "/healthz") == 200)
                #expect(await status(shared, "/metrics") == 200)
                #expect(await status(health, "/healthz") == 200)
                #expect(await status(health, "/metrics") == 404, "/metrics is only on --metrics-address")
                #expect(await status(metrics, "/healthz") == 404, "the probes are only on --health-address")
                let scraped = try await Exposition.scrape("http://127.0.0.1:\(metrics)/metrics", http: http)
                #expect(scraped.value("cutover_leader") == 1, "without leader election the replica acts")
            }
            together.send(SIGTERM)
            apart.send(SIGTERM)
            #expect(await together.waitForExit(timeout: .seconds(20)) == 0, "\(together.output)")
            #expect(await apart.waitForExit(timeout: .seconds(20)) == 0, "\(apart.output)")
        }
    }

    static func exercise(client: KubeClient, http: HTTPClient, prometheus: String, metrics url: String, instance: String) async throws {
        _ = try await eventually("the controller to lead and serve /metrics", timeout: .seconds(30)) {
            let scraped = try? await Exposition.scrape(url, http: http)
            return (scraped?.value("cutover_leader") == 1 ? true : nil, "cutover_leader \(scraped?.value("cutover_leader").map { "\($0)" } ?? "-")")
        }
        try await ReleaseTests.createService(client)
        _ = try await client.create(try ReleaseFixture.rollout(prometheus: prometheus, query: "vector(0.05)", pause: "1h"))
        let first = try await ReleaseTests.waitHealthy(client)

        // A release held in its canary step, measured every second: the last value is exported.
        try await ReleaseFixture.release(client, image: "example/web:2", query: "vector(0.05)")
        // Phases are counted from the watch cache, which may trail the controller's own status
        // writes on a loaded machine: wait for both.
        let canary = try await eventually("the last measured value in /metrics during the canary step", timeout: .seconds(40)) {
            let scraped = try await Exposition.scrape(url, http: http)
            let value = scraped.value("cutover_analysis_last_value", rollout)
            let phase = scraped.value("cutover_rollouts", ["phase": "Canary"])
            return (value == 0.05 && phase == 1 ? scraped : nil,
                    "cutover_analysis_last_value \(value.map { "\($0)" } ?? "absent"), Canary \(phase.map { "\($0)" } ?? "absent")")
        }
        #expect(canary.value("cutover_rollouts", ["phase": "Canary"]) == 1)
        #expect(canary.all("cutover_rollouts").map(\.value).reduce(0, +) == 1, "\(canary.all("cutover_rollouts"))")
        #expect(canary.all("cutover_rollouts").count == RolloutPhase.allCases.count + 1, "every phase, zeros included")
        #expect((canary.value("cutover_kube_api_requests_total", ["verb": "PUT", "code": "200"]) ?? 0) >= 1, "status writes")
        #expect((canary.value("cutover_kube_api_requests_total", ["verb": "LIST", "code": "200"]) ?? 0) >= 3, "cache lists")
        #expect((canary.value("cutover_reconcile_duration_seconds_count") ?? 0) >= 1)
        #expect(canary.value("cutover_reconcile_duration_seconds_bucket", ["le": "+Inf"]) == canary.value("cutover_reconcile_duration_seconds_count"))
        #expect(canary.value("cutover_workqueue_depth") != nil)
        #expect(canary.value("cutover_promotions_total") == 0, "a first deploy is not a promotion")
        for (family, type) in [
            ("cutover_reconcile_duration_seconds", "histogram"), ("cutover_workqueue_depth", "gauge"), ("cutover_rollouts", "gauge"),
            ("cutover_promotions_total", "counter"), ("cutover_kube_api_requests_total", "counter"), ("cutover_leader", "gauge"),
            ("cutover_analysis_last_value", "gauge"), ("cutover_analysis_measurement_errors_total", "counter"),
        ] {
            #expect(canary.describes(family, type: type), "\(family) lacks HELP or TYPE \(type)")
        }

        // Promoted by a human: counted once; the release's per-Rollout series is gone.
        let promote: JSONValue = ["metadata": ["annotations": ["cutover.dev/promote": "1"]]]
        _ = try await client.patch(Rollout.self, name: "web", namespace: ReleaseTests.namespace, patch: .merge(promote))
        let second = try await ReleaseTests.waitHealthy(client, notRevision: first.status?.activeRevision)
        let promoted = try await Exposition.scrape(url, http: http)
        #expect(promoted.value("cutover_promotions_total") == 1)
        #expect(promoted.value("cutover_analysis_last_value", rollout) == nil, "the ended release's series is removed")
        #expect(promoted.value("cutover_rollouts", ["phase": "Healthy"]) == 1)

        // A release whose metric breaches its limit at once: reverted, counted by reason.
        try await ReleaseFixture.release(client, image: "example/web:3", query: "vector(0.5)")
        _ = try await eventually("the breaching release to be rolled back", timeout: .seconds(40)) {
            let current = try await client.get(Rollout.self, name: "web", namespace: ReleaseTests.namespace)
            return (current.status?.phase == .rolledBack ? true : nil, "phase \(current.status?.phase?.rawValue ?? "-")")
        }
        let reverted = try await eventually("the revert in /metrics", timeout: .seconds(10)) {
            let scraped = try await Exposition.scrape(url, http: http)
            let value = scraped.value("cutover_reverts_total", ["reason": "AnalysisBreach"])
            return (value == 1 ? scraped : nil, "cutover_reverts_total{reason=AnalysisBreach} \(value.map { "\($0)" } ?? "absent")")
        }
        #expect(reverted.value("cutover_analysis_last_value", rollout) == nil, "the reverted release's series is removed")
        #expect(reverted.value("cutover_rollouts", ["phase": "RolledBack"]) == 1)
        #expect(reverted.value("cutover_promotions_total") == 1)
        #expect(second.status?.activeRevision != nil)

        // The exposition is what Prometheus' own parser and linter accept.
        let check = try Promtool.check(reverted.text)
        #expect(check.ok, "promtool check metrics: \(check.output)\n\(reverted.text)")
        let query = try PrometheusClient(configuration: PrometheusConfiguration(address: prometheus))
        do {
            _ = try await eventually("Prometheus to scrape the revert", timeout: .seconds(30)) { () -> (Bool?, String) in
                let answer = try? await query.query(#"cutover_reverts_total{instance="\#(instance)",reason="AnalysisBreach"}"#, at: Date())
                guard case .vector(let samples)? = answer?.result, let sample = samples.first else { return (nil, "no sample") }
                return (sample.point.value == 1 ? true : nil, "value \(sample.point.value)")
            }
            let up = try await query.query(#"up{instance="\#(instance)"}"#, at: Date())
            guard case .vector(let samples) = up.result else { throw WaitTimedOut(description: "up: \(up.result)") }
            #expect(samples.first?.point.value == 1, "Prometheus scraped the controller without errors")
            try await query.shutdown()
        } catch {
            try? await query.shutdown()
            throw error
        }

        // Deleted: no Rollout counted, no per-Rollout series.
        try await client.delete(Rollout.self, name: "web", namespace: ReleaseTests.namespace)
        _ = try await eventually("the deleted Rollout to leave /metrics", timeout: .seconds(20)) {
            let scraped = try await Exposition.scrape(url, http: http)
            let total = scraped.all("cutover_rollouts").map(\.value).reduce(0, +)
            return (total == 0 && scraped.value("cutover_analysis_last_value", rollout) == nil ? true : nil, "\(total) Rollouts counted")
        }
    }
}
