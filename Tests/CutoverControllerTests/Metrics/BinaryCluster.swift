import AsyncHTTPClient
import Foundation
import KubeAPI
import KubeModels
import KubeSim

/// A KubeSim over HTTPS with simulated workloads and the Rollout CRD, its kubeconfig on disk for
/// the `cutover-controller` binary, and a client for the test; all stopped when `body` ends.
func withBinaryCluster<T: Sendable>(_ body: (KubeSim, KubeClient, String) async throws -> T) async throws -> T {
    var options = KubeSim.Options()
    options.simulateWorkloads = true
    options.tickInterval = .milliseconds(100)
    let sim = try await KubeSim.start(options)
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    let kubeconfig = FileManager.default.temporaryDirectory.appendingPathComponent("cutover-kubeconfig-\(UUID().uuidString)").path
    var client: KubeClient?
    do {
        _ = try await sim.loadCRDs(fromDirectory: root.appendingPathComponent("crds").path)
        try sim.writeKubeconfig(to: kubeconfig)
        let config = KubeConfig(
            server: sim.baseURL, trust: .certificateAuthority(pem: Array(sim.caCertificatePEM.utf8)),
            credentials: .bearerToken(sim.token))
        let made = try KubeClient(config: config, options: ControllerRuns.clientOptions)
        client = made
        let result = try await body(sim, made, kubeconfig)
        try? await made.shutdown()
        try? await sim.stop()
        try? FileManager.default.removeItem(atPath: kubeconfig)
        return result
    } catch {
        try? await client?.shutdown()
        try? await sim.stop()
        try? FileManager.default.removeItem(atPath: kubeconfig)
        throw error
    }
}

/// The arguments of a `cutover-controller` against `kubeconfig` with leader election on a Lease in
/// `default`, health and metrics on the given loopback ports.
func controllerArguments(kubeconfig: String, leaseName: String, healthPort: Int, metricsPort: Int) -> [String] {
    [
        "--kubeconfig", kubeconfig, "--leader-elect", "on", "--lease-namespace", "default", "--lease-name", leaseName,
        "--health-address", "127.0.0.1:\(healthPort)", "--metrics-address", "127.0.0.1:\(metricsPort)",
        "--workers", "2", "--log-level", "info",
    ]
}

/// Runs `body` with an HTTP client that is shut down afterwards.
func withHTTPClient<T>(_ body: (HTTPClient) async throws -> T) async throws -> T {
    let http = HTTPClient(eventLoopGroupProvider: .singleton)
    do {
        let result = try await body(http)
        try? await http.shutdown()
        return result
    } catch {
        try? await http.shutdown()
        throw error
    }
}
