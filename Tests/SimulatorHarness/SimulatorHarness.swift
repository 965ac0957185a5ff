import Foundation
import KubeAPI
import KubeModels
import KubeSim
import Synchronization
import Testing

// Test support shared by the test targets that talk to a KubeSim through KubeAPI.

extension KubeSim.Options {
    /// An API server only: no simulated Deployment controller or traffic.
    public static var apiOnly: KubeSim.Options {
        var options = KubeSim.Options()
        options.simulateWorkloads = false
        return options
    }
}

/// A KubeSim on a free loopback port and a client for it over TLS with the bearer token; both are
/// stopped when `body` returns or throws.
public func withSimulator<T>(
    clientOptions: KubeClient.Options = KubeClient.Options(retry: RetryPolicy(baseDelay: 0.05, maxDelay: 2)),
    simOptions: KubeSim.Options = .apiOnly,
    _ body: (KubeSim, KubeClient) async throws -> T
) async throws -> T {
    let sim = try await KubeSim.start(simOptions)
    let config = KubeConfig(
        server: sim.baseURL, trust: .certificateAuthority(pem: Array(sim.caCertificatePEM.utf8)),
        credentials: .bearerToken(sim.token))
    let client = try KubeClient(config: config, options: clientOptions)
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
public func eventually(
    within seconds: Double = 10, _ what: String, pollEvery interval: Duration = .milliseconds(20),
    sourceLocation: SourceLocation = #_sourceLocation, _ condition: () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + .seconds(seconds)
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: interval)
    }
    Issue.record("timed out after \(seconds)s waiting for \(what)", sourceLocation: sourceLocation)
    throw CancellationError()
}

/// A value that test tasks share.
public final class Box<Value: Sendable>: Sendable {
    private let value: Mutex<Value>
    public init(_ value: Value) { self.value = Mutex(value) }
    public var get: Value { value.withLock { $0 } }
    @discardableResult
    public func update<R: Sendable>(_ body: (inout Value) -> R) -> R { value.withLock { body(&$0) } }
}

extension KubeSim {
    /// How many requests with `verb` on `resource` the simulator answered (from `/sim/stats`).
    public func requestCount(verb: String, resource: String) async -> Int64 {
        let (_, body) = await request("GET", "/sim/stats")
        return (body["requests"]?.arrayValue ?? []).reduce(0) { total, entry in
            guard entry["verb"]?.stringValue == verb, entry["resource"]?.stringValue == resource else { return total }
            return total + (entry["count"]?.intValue ?? 0)
        }
    }
}
