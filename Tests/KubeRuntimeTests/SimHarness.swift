import Foundation
import KubeModels
import KubeSim
import Synchronization
import Testing
@testable import KubeAPI

/// A KubeSim on a free loopback port and a client for it over TLS with the bearer token; both are
/// stopped when `body` returns or throws. (Same shape as KubeAPITests' harness.)
func withSimulator<T>(
    watchHistory: Int? = nil,
    _ body: (KubeSim, KubeClient) async throws -> T
) async throws -> T {
    var simOptions = KubeSim.Options()
    simOptions.simulateWorkloads = false
    if let watchHistory { simOptions.watchHistoryLimit = watchHistory }
    let sim = try await KubeSim.start(simOptions)
    let config = KubeConfig(
        server: sim.baseURL, trust: .certificateAuthority(pem: Array(sim.caCertificatePEM.utf8)),
        credentials: .bearerToken(sim.token))
    let client = try KubeClient(
        config: config, options: KubeClient.Options(retry: RetryPolicy(baseDelay: 0.05, maxDelay: 0.5), requestTimeout: 5))
    do {
        let result = try await body(sim, client)
        try await client.shutdown()
        try await sim.stop()
        return result
    } catch {
        try? await client.shutdown()
        try? await sim.stop()
        throw error
    }
}

/// Polls `condition` until it holds or `seconds` pass; records an issue and throws on timeout.
func eventually(
    within seconds: Double = 10, _ what: String, sourceLocation: SourceLocation = #_sourceLocation,
    _ condition: () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + .seconds(seconds)
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(20))
    }
    Issue.record("timed out after \(seconds)s waiting for \(what)", sourceLocation: sourceLocation)
    throw CancellationError()
}

extension KubeClient {
    /// Posts a fault plan to the simulator's admin endpoint.
    func injectFaults(_ plan: JSONValue) async throws {
        _ = try await perform(.POST, path: "/sim/faults", body: Self.encode(plan), verb: "POST", idempotent: false)
    }
}

extension KubeSim {
    /// How many requests with `verb` on `resource` the simulator answered (from `/sim/stats`).
    func requestCount(verb: String, resource: String) async -> Int64 {
        let (_, body) = await request("GET", "/sim/stats")
        return (body["requests"]?.arrayValue ?? []).reduce(0) { total, entry in
            guard entry["verb"]?.stringValue == verb, entry["resource"]?.stringValue == resource else { return total }
            return total + (entry["count"]?.intValue ?? 0)
        }
    }
}

/// A value that test tasks share.
final class Box<Value: Sendable>: Sendable {
    private let value: Mutex<Value>
    init(_ value: Value) { self.value = Mutex(value) }
    var get: Value { value.withLock { $0 } }
    func update<R: Sendable>(_ body: (inout Value) -> R) -> R { value.withLock { body(&$0) } }
}
