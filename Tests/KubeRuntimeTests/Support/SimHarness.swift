import KubeModels
import KubeSim
import SimulatorHarness
@testable import KubeAPI

/// The shared simulator harness with the runtime tests' client settings: short request timeouts
/// and retries, so failure paths run fast.
func withRuntimeSimulator<T>(
    watchHistory: Int? = nil,
    _ body: (KubeSim, KubeClient) async throws -> T
) async throws -> T {
    var simOptions = KubeSim.Options.apiOnly
    if let watchHistory { simOptions.watchHistoryLimit = watchHistory }
    return try await withSimulator(
        clientOptions: KubeClient.Options(retry: RetryPolicy(baseDelay: 0.05, maxDelay: 0.5), requestTimeout: 5),
        simOptions: simOptions, body)
}

extension KubeClient {
    /// Posts a fault plan to the simulator's admin endpoint, over the client's own connection.
    func injectFaults(_ plan: JSONValue) async throws {
        _ = try await perform(.POST, path: "/sim/faults", body: Self.encode(plan), verb: "POST", idempotent: false)
    }
}
