import Cutover
@testable import CutoverController
import Foundation
import KubeModels
import SimulatorHarness
import Testing

/// A reader of fixed Secrets, by name: `[name: [key: value]]`; any other is not found.
struct FixedSecrets: SecretReader {
    struct NotFound: Error, CustomStringConvertible {
        var description: String
    }

    let secrets: [String: [String: String]]

    func secretData(namespace: String, name: String) async throws -> [String: [UInt8]] {
        guard let data = secrets[name] else { throw NotFound(description: "secrets \"\(name)\" not found") }
        return data.mapValues { Array($0.utf8) }
    }
}

/// What one answer means for a web metric.
struct WebAnswerCase: Sendable, CustomTestStringConvertible {
    let name: String
    let status: Int
    let body: String
    let jsonPath: String
    let sample: Measurement.Sample
    var testDescription: String { name }

    static let all: [WebAnswerCase] = [
        .init(name: "a number", status: 200, body: #"{"score": 0.97}"#, jsonPath: "{.score}", sample: .value(0.97)),
        .init(name: "an integer, deep", status: 200, body: #"{"data": {"results": [{"v": 3}]}}"#, jsonPath: ".data.results[0].v", sample: .value(3)),
        .init(name: "true is 1", status: 200, body: #"{"ok": true}"#, jsonPath: "{.ok}", sample: .value(1)),
        .init(name: "false is 0", status: 200, body: #"{"ok": false}"#, jsonPath: "{.ok}", sample: .value(0)),
        .init(name: "a numeric string", status: 200, body: #"{"v": "0.5"}"#, jsonPath: "{.v}", sample: .value(0.5)),
        .init(name: "null is no data", status: 200, body: #"{"v": null}"#, jsonPath: "{.v}", sample: .noData),
        .init(name: "a bare number with $", status: 201, body: "0.93", jsonPath: "$", sample: .value(0.93)),
        .init(name: "a filter", status: 200, body: #"{"checks": [{"name": "a", "v": 1}, {"name": "b", "v": 2}]}"#, jsonPath: #"{.checks[?(@.name=="b")].v}"#, sample: .value(2)),
        .init(
            name: "a string that is no number", status: 200, body: #"{"v": "green"}"#, jsonPath: "{.v}",
            sample: .error(#"{.v} is the string "green", not a number"#)),
        .init(
            name: "an object", status: 200, body: #"{"v": {"a": 1}}"#, jsonPath: "{.v}", sample: .error(#"{.v} is {"a":1}, not a number or a boolean"#)),
        .init(
            name: "several values", status: 200, body: #"{"v": [1, 2]}"#, jsonPath: "{.v[*]}",
            sample: .error(#"{.v[*]} selects 2 values; it must select one: {"v":[1,2]}"#)),
        .init(name: "nothing there", status: 200, body: #"{"w": 1}"#, jsonPath: "{.v}", sample: .error(#"the answer has nothing at {.v}: {"w":1}"#)),
        .init(name: "not 2xx", status: 503, body: "checker down\n", jsonPath: "{.v}", sample: .error("HTTP 503: checker down")),
    ]
}

@Suite("Web metrics", .timeLimit(.minutes(1)))
struct WebProviderTests {
    @Test(arguments: WebAnswerCase.all)
    func answers(_ row: WebAnswerCase) {
        let response = WebhookClient.Response(status: row.status, bytes: Array(row.body.utf8))
        #expect(WebAnswer.sample(of: response, jsonPath: row.jsonPath, limit: 1 << 20) == row.sample)
    }

    @Test func notJSONAndTooLargeAreErrors() {
        let text = WebAnswer.sample(of: WebhookClient.Response(status: 200, bytes: Array("ok".utf8)), jsonPath: "$", limit: 100)
        guard case .error(let message) = text else { Issue.record("\(text)"); return }
        #expect(message.hasPrefix("the answer is not JSON") && message.hasSuffix("HTTP 200: ok"), "\(message)")
        let large = WebAnswer.sample(of: WebhookClient.Response(status: 200, bytes: Array(repeating: 0x31, count: 2049)), jsonPath: "$", limit: 2048)
        #expect(large == .error("the answer is larger than 2 KiB"))
    }

    static func rollout() -> Rollout {
        AnalysisFixture.rollout(prometheus: PrometheusSource(address: "http://127.0.0.1:9"))
    }

    static func query(_ metric: String, _ web: WebMetric) -> MetricQuery {
        MetricQuery(metric: metric, revision: "green1", source: .web(web))
    }

    @Test func getAndPostWithHeadersFromTheSpecAndASecret() async throws {
        let receiver = try await WebhookReceiver { path, _ in
            path.hasPrefix("/score") ? .init(body: #"{"data": {"score": 0.97}}"#) : .init(body: #"{"passed": false}"#)
        }
        let secrets = FixedSecrets(secrets: ["checker": ["Authorization": "Bearer s3cret\n", "X-Api-Key": "k1"], "urls": ["smoke": receiver.baseURL + "/smoke"]])
        let runner = AnalysisRunner(secrets: secrets)
        let results = await runner.measure(
            [
                Self.query(
                    "score",
                    WebMetric(
                        url: receiver.baseURL + "/score?revision=green1", headers: [HTTPHeaderSpec(name: "X-Tenant", value: "shop")],
                        headersSecret: SecretReference(name: "checker"), jsonPath: "{.data.score}")),
                Self.query(
                    "smoke",
                    WebMetric(urlSecret: SecretKeyReference(name: "urls", key: "smoke"), method: "POST", body: #"{"revision": "green1"}"#, jsonPath: "{.passed}")),
            ], for: Self.rollout())
        await runner.shutdown()
        await receiver.stop()
        #expect(results.map(\.value) == [.value(0.97), .value(0)])
        #expect(results.allSatisfy { $0.baseline == nil && $0.revision == "green1" })
        let get = try #require(receiver.requests(to: "/score?revision=green1").first)
        #expect(get.method == "GET" && get.body.isEmpty)
        #expect(get.headers["authorization"] == "Bearer s3cret" && get.headers["x-api-key"] == "k1" && get.headers["x-tenant"] == "shop")
        let post = try #require(receiver.requests(to: "/smoke").first)
        #expect(post.method == "POST" && post.json == ["revision": "green1"] && post.headers["content-type"] == "application/json")
    }

    @Test func aSlowEndpointAMissingSecretAndAPolicyRefusalAreErrors() async throws {
        let receiver = try await WebhookReceiver { _, _ in .init(body: "1", delay: .seconds(5)) }
        let policy = OutboundPolicy(allow: [.hooks: [try OutboundPolicy.Rule("checks.example.com")]])
        let strict = AnalysisRunner(secrets: FixedSecrets(secrets: [:]), policy: policy)
        let refused = await strict.measure([Self.query("v", WebMetric(url: receiver.baseURL + "/v", jsonPath: "$"))], for: Self.rollout())
        await strict.shutdown()
        let runner = AnalysisRunner(secrets: FixedSecrets(secrets: [:]))
        let started = ContinuousClock.now
        let results = await runner.measure(
            [
                Self.query("slow", WebMetric(url: receiver.baseURL + "/slow", timeout: "1s", jsonPath: "$")),
                Self.query("secret", WebMetric(url: receiver.baseURL + "/v", headersSecret: SecretReference(name: "gone"), jsonPath: "$")),
            ], for: Self.rollout())
        let took = ContinuousClock.now - started
        await runner.shutdown()
        await receiver.stop()
        guard case .error(let refusal)? = refused.first?.value else { Issue.record("\(refused)"); return }
        #expect(refusal.contains("hooks"), "\(refusal)")
        #expect(results.map(\.value) == [.error("no answer within 1s"), .error(#"Secret prod/gone: secrets "gone" not found"#)])
        #expect(took < .seconds(3), "the timeout bounds the measurement: \(took)")
        #expect(receiver.requests(to: "/v").isEmpty, "nothing sent without the headers' Secret, nor against the policy")
    }
}
