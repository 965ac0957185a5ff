import Foundation
import Testing

@testable import Prometheus

@Suite("PrometheusClient on the wire", .timeLimit(.minutes(1)))
struct PrometheusClientTests {
    static let emptyVector = #"{"status":"success","data":{"resultType":"vector","result":[]}}"#

    @discardableResult
    private func withServer<T>(
        _ answer: RecordingHTTPServer.Answer, _ body: (RecordingHTTPServer) async throws -> T
    ) async throws -> T {
        let server = try await RecordingHTTPServer(answer: answer)
        do {
            let result = try await body(server)
            try await server.stop()
            return result
        } catch {
            try? await server.stop()
            throw error
        }
    }

    @discardableResult
    private func withClient<T>(
        _ configuration: PrometheusConfiguration, _ body: (PrometheusClient) async throws -> T
    ) async throws -> T {
        let client = try PrometheusClient(configuration: configuration)
        do {
            let result = try await body(client)
            try await client.shutdown()
            return result
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    @Test func postsAFormWithQueryTimeAndTimeout() async throws {
        try await withServer(.respond(status: 200, contentType: "application/json", body: Self.emptyVector)) { server in
            let configuration = PrometheusConfiguration(address: server.baseURL + "/prom/", timeout: .milliseconds(2500))
            let response = try await withClient(configuration) { client in
                try await client.query(#"sum(rate(x{code=~"5.."}[1m])) + 1"#, at: Date(timeIntervalSince1970: 1_700_000_000.25))
            }
            #expect(response.result == .vector([]))
            let request = try #require(server.requests.first)
            #expect(request.method == "POST")
            #expect(request.uri == "/prom/api/v1/query")
            #expect(request.header("content-type") == "application/x-www-form-urlencoded")
            #expect(request.header("authorization") == nil)
            #expect(
                request.body
                    == "query=sum%28rate%28x%7Bcode%3D~%225..%22%7D%5B1m%5D%29%29%20%2B%201&time=1700000000.250&timeout=2500ms")
        }
    }

    @Test(arguments: [
        (PrometheusConfiguration.Authorization.bearer("s3cr3t"), "Bearer s3cr3t"),
        (.basic(username: "cutover", password: "p:ss"), "Basic Y3V0b3ZlcjpwOnNz"),
    ])
    func sendsAuthorizationAndExtraHeaders(authorization: PrometheusConfiguration.Authorization, expected: String) async throws {
        try await withServer(.respond(status: 200, contentType: "application/json", body: Self.emptyVector)) { server in
            let configuration = PrometheusConfiguration(
                address: server.baseURL, authorization: authorization,
                headers: [.init(name: "X-Scope-OrgID", value: "team-a"), .init(name: "X-Extra", value: "1")])
            _ = try await withClient(configuration) { try await $0.query("up", at: Date()) }
            let request = try #require(server.requests.first)
            #expect(request.header("authorization") == expected)
            #expect(request.header("x-scope-orgid") == "team-a")
            #expect(request.header("x-extra") == "1")
        }
    }

    @Test func aServerThatNeverAnswersCostsTheTimeout() async throws {
        try await withServer(.never) { server in
            let configuration = PrometheusConfiguration(address: server.baseURL, timeout: .milliseconds(300))
            let started = ContinuousClock.now
            try await withClient(configuration) { client in
                await #expect(throws: PrometheusError.timedOut(seconds: 0.3)) { try await client.query("up", at: Date()) }
            }
            let elapsed = ContinuousClock.now - started
            #expect(elapsed < .milliseconds(400) + schedulingSlack, "took \(elapsed)")
        }
    }

    @Test func aBodyThatStallsAfterTheHeadersCostsTheTimeout() async throws {
        try await withServer(.stallBody) { server in
            let configuration = PrometheusConfiguration(address: server.baseURL, timeout: .milliseconds(400))
            let started = ContinuousClock.now
            try await withClient(configuration) { client in
                await #expect(throws: PrometheusError.timedOut(seconds: 0.4)) { try await client.query("up", at: Date()) }
            }
            let elapsed = ContinuousClock.now - started
            #expect(elapsed < .milliseconds(400) + schedulingSlack, "took \(elapsed)")
        }
    }

    /// Hostile answers cost at most the response limit in memory, and say what was wrong.
    @Test func aBodyOverTheLimitIsRefusedAtTheLimit() async throws {
        let tenMegabytes = #"{"status":"success","data":{"resultType":"vector","result":[],"pad":""# + String(repeating: "x", count: 10 << 20) + #""}}"#
        try await withServer(.respond(status: 200, contentType: "application/json", body: tenMegabytes)) { server in
            try await withClient(PrometheusConfiguration(address: server.baseURL)) { client in
                await #expect(throws: PrometheusError.decoding("the answer is larger than 4194304 bytes")) {
                    try await client.query("up", at: Date())
                }
            }
        }
    }

    @Test func aBodyThatNeverEndsIsRefusedAtTheLimitNotAtTheTimeout() async throws {
        try await withServer(.endlessBody) { server in
            let configuration = PrometheusConfiguration(address: server.baseURL, timeout: .seconds(20), maxResponseBytes: 1 << 20)
            let started = ContinuousClock.now
            try await withClient(configuration) { client in
                await #expect(throws: PrometheusError.decoding("the answer is larger than 1048576 bytes")) {
                    try await client.query("up", at: Date())
                }
            }
            #expect(ContinuousClock.now - started < .seconds(10))
        }
    }

    @Test func perQueryTimeoutOverridesTheConfiguration() async throws {
        try await withServer(.never) { server in
            let configuration = PrometheusConfiguration(address: server.baseURL, timeout: .seconds(30))
            try await withClient(configuration) { client in
                await #expect(throws: PrometheusError.timedOut(seconds: 0.2)) {
                    try await client.query("up", at: Date(), timeout: .milliseconds(200))
                }
            }
        }
    }

    @Test func aProxyErrorPageIsAnHTTPError() async throws {
        try await withServer(.respond(status: 401, contentType: "text/plain", body: "Unauthorized")) { server in
            try await withClient(PrometheusConfiguration(address: server.baseURL)) { client in
                await #expect(throws: PrometheusError.http(status: 401, body: "Unauthorized")) {
                    try await client.query("up", at: Date())
                }
            }
        }
    }

    @Test func aPrometheusErrorBodyIsTyped() async throws {
        let body = #"{"status":"error","errorType":"bad_data","error":"1:4: parse error: unexpected end of input"}"#
        try await withServer(.respond(status: 400, contentType: "application/json", body: body)) { server in
            try await withClient(PrometheusConfiguration(address: server.baseURL)) { client in
                await #expect(throws: PrometheusError.api(type: .badData, message: "1:4: parse error: unexpected end of input", httpStatus: 400)) {
                    try await client.query("sum(", at: Date())
                }
            }
        }
    }

    @Test func aClosedPortIsATransportErrorWithinTheTimeout() async throws {
        let server = try await RecordingHTTPServer(answer: .never)
        let address = server.baseURL
        try await server.stop()
        // The connection pool retries refused connections until the deadline: a dead Prometheus
        // costs the timeout, and the error names the last cause.
        try await withClient(PrometheusConfiguration(address: address, timeout: .seconds(1))) { client in
            let started = ContinuousClock.now
            do {
                _ = try await client.query("up", at: Date())
                Issue.record("a query to a closed port succeeded")
            } catch let error as PrometheusError {
                guard case .transport(let reason) = error else { Issue.record("expected transport, got \(error)"); return }
                #expect(error.description.hasPrefix("cannot reach Prometheus"), "\(reason)")
            }
            #expect(ContinuousClock.now - started < .seconds(1) + schedulingSlack)
        }
    }

    @Test(arguments: ["", "prometheus:9090", "ftp://x", "http://"])
    func refusesAddressesWithoutHTTPScheme(address: String) {
        #expect(throws: PrometheusError.self) { try PrometheusClient(configuration: PrometheusConfiguration(address: address)) }
    }

    @Test func refusesACABundleThatIsNotPEM() {
        let configuration = PrometheusConfiguration(address: "https://prometheus:9090", caCertificatesPEM: Array("nope".utf8))
        #expect {
            try PrometheusClient(configuration: configuration)
        } throws: { error in
            guard case .invalidConfiguration(let reason)? = error as? PrometheusError else { return false }
            return reason.contains("PEM")
        }
    }

    @Test(arguments: [
        (0.0, "0.000"), (1_700_000_000.25, "1700000000.250"), (1_700_000_000.0049, "1700000000.005"), (12.3456, "12.346"),
    ])
    func timeParameterHasMilliseconds(seconds: Double, expected: String) {
        #expect(PrometheusClient.timeParameter(Date(timeIntervalSince1970: seconds)) == expected)
    }

    @Test func formEncodingEscapesEverythingButUnreserved() {
        #expect(FormEncoding.escape("a-b_c.d~e f+g&h=i/é") == "a-b_c.d~e%20f%2Bg%26h%3Di%2F%C3%A9")
    }
}
