import Foundation
import KubeModels
import KubeSim
import Testing
@testable import KubeAPI

/// A KubeSim on a free loopback port and a client for it over TLS with the bearer token; both
/// are stopped when `body` returns or throws.
func withSimulator<T>(
    options: KubeClient.Options = KubeClient.Options(retry: RetryPolicy(baseDelay: 0.05, maxDelay: 2)),
    simOptions: KubeSim.Options = {
        var options = KubeSim.Options()
        options.simulateWorkloads = false
        return options
    }(),
    _ body: (KubeSim, KubeClient) async throws -> T
) async throws -> T {
    let sim = try await KubeSim.start(simOptions)
    let config = KubeConfig(
        server: sim.baseURL, trust: .certificateAuthority(pem: Array(sim.caCertificatePEM.utf8)),
        credentials: .bearerToken(sim.token))
    let client = try KubeClient(config: config, options: options)
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

/// Polls `condition` until it holds or `seconds` pass.
func eventually(
    within seconds: Double = 10, _ what: String, sourceLocation: SourceLocation = #_sourceLocation,
    _ condition: () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + .seconds(seconds)
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(50))
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

/// Records every request the client makes, for assertions on retries and pagination.
final class RequestLog: Sendable {
    private let records = Mutex<[KubeClient.RequestRecord]>([])
    var all: [KubeClient.RequestRecord] { records.withLock { $0 } }
    func append(_ record: KubeClient.RequestRecord) { records.withLock { $0.append(record) } }
    func codes(_ verb: String) -> [Int] { all.filter { $0.verb == verb }.map(\.code) }
}

/// A counter shared between tasks.
final class Counter: Sendable {
    private let count = Mutex(0)
    var value: Int { count.withLock { $0 } }
    func increment() { count.withLock { $0 += 1 } }
}

import Synchronization
