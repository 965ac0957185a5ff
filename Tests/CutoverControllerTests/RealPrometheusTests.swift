import AsyncHTTPClient
import ClusterHarness
import Cutover
import CutoverController
import Foundation
import NIOCore
import Prometheus
import Testing

/// The client and the runner against a real Prometheus that scrapes itself every second.
@Suite("Against a real Prometheus", .timeLimit(.minutes(1)))
struct RealPrometheusTests {
    /// What each query returns on the real server, and the measurement it makes.
    static let table: [(query: String, resultType: String, sample: Measurement.Sample?)] = [
        ("vector(0.25)", "vector", .value(0.25)),
        ("0.5", "scalar", .value(0.5)),
        ("vector(1) / 0", "vector", .value(.infinity)),
        ("-1 / 0", "scalar", .value(-.infinity)),
        ("0 / 0", "scalar", .noData),
        ("vector(0) / 0", "vector", .noData),
        (#"up{job="no-such-job"}"#, "vector", .noData),
        (#"up{job="cutover-test"}[10s]"#, "matrix", nil),
        (#""hello""#, "string", nil),
        ("up or vector(1)", "vector", nil),
    ]

    @Test func resultTypesAndErrorsFromTheRealServer() async throws {
        try await PrometheusServer.with(scraping: []) { prometheus in
            let client = try PrometheusClient(configuration: PrometheusConfiguration(address: prometheus.baseURL, timeout: .seconds(5)))
            let http = HTTPClient(eventLoopGroupProvider: .singleton)
            do {
                try await Self.waitForSelfScrape(client)
                let time = Date()
                for row in Self.table {
                    let response = try await client.query(row.query, at: time)
                    #expect(response.result.resultType == row.resultType, "\(row.query)")
                    // The same query's raw body, captured over plain HTTP, decodes to the same result.
                    let (status, body) = try await Self.rawQuery(http, prometheus.baseURL, row.query, at: time)
                    #expect(status == 200)
                    let decoded = try QueryResponse.decode(body, httpStatus: status)
                    #expect(decoded.result.resultType == row.resultType, "\(String(decoding: body, as: UTF8.self))")
                    let sample = response.result.measurementSample
                    if let expected = row.sample {
                        #expect(sample == expected, "\(row.query)")
                    } else {
                        guard case .error(let message) = sample else { Issue.record("\(row.query) gave \(sample)"); continue }
                        #expect(message.contains("sum("), "\(row.query): \(message)")
                    }
                }

                let (status, body) = try await Self.rawQuery(http, prometheus.baseURL, "sum(rate(x[1m])", at: time)
                #expect(status == 400)
                #expect(throws: PrometheusError.self) { try QueryResponse.decode(body, httpStatus: status) }
                do {
                    _ = try await client.query("sum(rate(x[1m])", at: time)
                    Issue.record("a bad query succeeded")
                } catch let error as PrometheusError {
                    if case .api(.badData, let message, 400) = error {
                        #expect(message.contains("parse error"), "\(message)")
                    } else {
                        Issue.record("a bad query gave \(error)")
                    }
                }
                do {
                    _ = try await client.query("(up or vector(1)) * on() (up or vector(1))", at: time)
                    Issue.record("many-to-many matching succeeded")
                } catch let error as PrometheusError {
                    if case .api(.execution, let message, 422) = error {
                        #expect(message.contains("many-to-many"), "\(message)")
                    } else {
                        Issue.record("many-to-many matching gave \(error)")
                    }
                }
                try await client.shutdown()
                try await http.shutdown()
            } catch {
                try? await client.shutdown()
                try? await http.shutdown()
                throw error
            }
        }
    }

    @Test func theRunnerEvaluatesGreenAndBaselineAtOneInstantAndReportsBadQueries() async throws {
        try await PrometheusServer.with(scraping: []) { prometheus in
            let runner = AnalysisRunner(secrets: NoSecrets())
            let rollout = AnalysisFixture.rollout(prometheus: PrometheusSource(address: prometheus.baseURL, timeout: "5s"))
            let results = await runner.measure(
                [
                    AnalysisFixture.query("instant", "time()", baseline: "vector(time())"),
                    AnalysisFixture.query("broken", "sum(rate(http_requests_total[1m])"),
                ], for: rollout)
            await runner.shutdown()
            #expect(results.map(\.metric) == ["instant", "broken"])
            let instant = try #require(results.first)
            // time() is the evaluation instant: both sides saw the same one, the measurement's.
            let evaluated = (instant.at.timeIntervalSince1970 * 1000).rounded() / 1000
            #expect(instant.value == .value(evaluated))
            #expect(instant.baseline == .value(evaluated))
            guard case .error(let message) = results[1].value else { Issue.record("a bad query gave \(results[1].value)"); return }
            #expect(message.contains("bad_data") && message.contains("parse error"), "\(message)")
            #expect(results[1].baseline == nil)
        }
    }

    @Test func aJudgedMetricsSubqueryGivesItsSamplesOnTheStepGrid() async throws {
        try await PrometheusServer.with(scraping: []) { prometheus in
            let runner = AnalysisRunner(secrets: NoSecrets())
            let rollout = AnalysisFixture.rollout(prometheus: PrometheusSource(address: prometheus.baseURL, timeout: "5s"))
            let judge = JudgeSpec(window: "1m", step: "10s")
            let results = await runner.measure(
                [
                    AnalysisFixture.query("clock", judge.sampling("vector(time())"), baseline: judge.sampling("vector(time() - 60)"), sampled: true),
                    AnalysisFixture.query("instant", "vector(1)", sampled: true),
                    AnalysisFixture.query("several", judge.sampling(#"vector(1) or label_replace(vector(2), "side", "b", "", "")"#), sampled: true),
                    AnalysisFixture.query("empty", judge.sampling(#"up{job="no-such-job"}"#), sampled: true),
                ], for: rollout)
            await runner.shutdown()
            #expect(results.map(\.metric) == ["clock", "instant", "several", "empty"])
            // Subquery points sit on multiples of the step within (t − window, t]: six of them.
            guard case .series(let green) = results[0].value, case .series(let blue)? = results[0].baseline else {
                Issue.record("clock gave \(results[0].value), \(String(describing: results[0].baseline))")
                return
            }
            let at = results[0].at.timeIntervalSince1970
            #expect(green.count == 6, "\(green)")
            #expect(green.allSatisfy { $0.truncatingRemainder(dividingBy: 10) == 0 && $0 <= at && $0 > at - 60 }, "\(green) at \(at)")
            #expect(zip(green, green.dropFirst()).allSatisfy { $1 - $0 == 10 })
            #expect(blue == green.map { $0 - 60 })
            guard case .error(let instant) = results[1].value else { Issue.record("vector(1) gave \(results[1].value)"); return }
            #expect(instant.contains("range vector"), "\(instant)")
            guard case .error(let several) = results[2].value else { Issue.record("several gave \(results[2].value)"); return }
            #expect(several.contains("judged metric must return one"), "\(several)")
            #expect(results[3].value == .noData)
        }
    }

    @Test func aHungOrStoppedPrometheusIsAnErrorWithinTheTimeout() async throws {
        try await PrometheusServer.with(scraping: []) { prometheus in
            let runner = AnalysisRunner(secrets: NoSecrets())
            let rollout = AnalysisFixture.rollout(prometheus: PrometheusSource(address: prometheus.baseURL, timeout: "2s"))
            let query = [AnalysisFixture.query("up", "vector(1)")]
            #expect(await runner.measure(query, for: rollout).map(\.value) == [.value(1)])

            prometheus.freeze()
            var started = ContinuousClock.now
            let hung = await runner.measure(query, for: rollout)
            var elapsed = ContinuousClock.now - started
            #expect(hung.map(\.value) == [.error("Prometheus did not answer within 2s")])
            #expect(elapsed < .seconds(2) + schedulingSlack, "a hung Prometheus took \(elapsed)")

            prometheus.kill()
            started = ContinuousClock.now
            let stopped = await runner.measure(query, for: rollout)
            elapsed = ContinuousClock.now - started
            await runner.shutdown()
            guard case .error(let message)? = stopped.first?.value else { Issue.record("a stopped Prometheus gave \(stopped)"); return }
            #expect(message.hasPrefix("cannot reach Prometheus") || message.contains("did not answer"), "\(message)")
            #expect(elapsed < .seconds(2) + schedulingSlack, "a stopped Prometheus took \(elapsed)")
        }
    }

    /// Without the binary the integration tests fail, never skip, and say how to install it.
    @Test func aMissingBinaryFailsWithHowToInstallIt() throws {
        #expect(throws: PrometheusServer.NotInstalled.self) { try PrometheusServer.binary(candidates: ["/nonexistent/prometheus"]) }
        #expect(PrometheusServer.NotInstalled().description.contains("apt-get install -y prometheus"))
        #expect(try PrometheusServer.binary() != "", "the real Prometheus must be installed for these tests")
    }

    static func waitForSelfScrape(_ client: PrometheusClient) async throws {
        _ = try await eventually("Prometheus to scrape itself twice") {
            let response = try? await client.query(#"count_over_time(up{job="cutover-test"}[10s])"#, at: Date())
            if case .vector(let samples)? = response?.result, let count = samples.first?.point.value, count >= 2 { return (true, "") }
            return (nil, String(describing: response?.result))
        }
    }

    static func rawQuery(_ http: HTTPClient, _ base: String, _ query: String, at time: Date) async throws -> (Int, [UInt8]) {
        var components = URLComponents(string: base + "/api/v1/query")!
        components.queryItems = [
            URLQueryItem(name: "query", value: query), URLQueryItem(name: "time", value: String(format: "%.3f", time.timeIntervalSince1970)),
        ]
        // URLComponents leaves '+' alone; Prometheus would read it as a space.
        let url = components.url!.absoluteString.replacingOccurrences(of: "+", with: "%2B")
        let response = try await http.execute(HTTPClientRequest(url: url), timeout: .seconds(5))
        let body = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), Array(body.readableBytesView))
    }
}
