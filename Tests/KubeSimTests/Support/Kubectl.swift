import Foundation
@testable import KubeSim

/// Runs the installed `kubectl` against a simulator over TLS, with a fresh HOME and discovery
/// cache for every invocation, so no test sees another's cached discovery.
struct Kubectl: Sendable {
    let kubeconfig: String
    let home: String

    init(_ sim: KubeSim) throws {
        kubeconfig = TestClient.temporaryPath("kubeconfig")
        try sim.writeKubeconfig(to: kubeconfig)
        home = (kubeconfig as NSString).deletingLastPathComponent
    }

    /// Runs `kubectl <arguments>`; `timeout` (seconds) ends long-running commands such as `get -w`.
    func run(_ arguments: [String], input: String? = nil, timeout: Double? = nil, cacheDir: String? = nil) async throws -> TestClient.ProcessOutput {
        let cache = cacheDir ?? TestClient.temporaryPath("cache")
        var environment = ProcessInfo.processInfo.environment
        environment["HOME"] = home
        environment["KUBECONFIG"] = kubeconfig
        let base = ["--kubeconfig", kubeconfig, "--cache-dir", cache] + arguments
        if let timeout {
            return try await TestClient.run("/usr/bin/timeout", [String(timeout), "/usr/bin/kubectl"] + base, input: input, environment: environment)
        }
        return try await TestClient.run("/usr/bin/kubectl", base, input: input, environment: environment)
    }

    func callAsFunction(_ arguments: String..., input: String? = nil) async throws -> TestClient.ProcessOutput {
        try await run(arguments, input: input)
    }
}
