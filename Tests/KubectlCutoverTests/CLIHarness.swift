import Cutover
import CutoverCLI
import CutoverController
import Foundation
import KubeAPI
import KubeModels
import KubeRuntime
import KubeSim
import SimulatorHarness
import Testing

/// A KubeSim with simulated workloads and every CRD of `crds/` (Rollout, ReleaseGroup), optionally a ``RolloutController``
/// in-process, and a way to run plugin commands against them; everything stops when `body` ends.
struct CLICluster: Sendable {
    let sim: KubeSim
    let client: KubeClient
    let config: KubeConfig
    static let namespace = "default"

    /// A command context writing to a fresh captured console.
    func context(terminal: Bool = false, staleAfter: Double = 60) -> (CLIContext, CapturedConsole) {
        let captured = CapturedConsole(isTerminal: terminal)
        return (CLIContext(client: client, namespace: Self.namespace, console: captured.console, staleAfter: staleAfter), captured)
    }

    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// Runs `body` against a fresh cluster; with `controller` a RolloutController runs in-process.
    static func with<T: Sendable>(controller: Bool = true, _ body: (CLICluster) async throws -> T) async throws -> T {
        var options = KubeSim.Options()
        options.simulateWorkloads = true
        options.tickInterval = .milliseconds(100)
        let clientOptions = KubeClient.Options(retry: RetryPolicy(baseDelay: 0.05, maxDelay: 0.5), requestTimeout: 10)
        return try await withSimulator(clientOptions: clientOptions, simOptions: options) { sim, client in
            let crds = try await sim.loadCRDs(fromDirectory: repositoryRoot.appendingPathComponent("crds").path)
            try #require(Set(crds).isSuperset(of: ["rollouts.cutover.dev", "releasegroups.cutover.dev"]), "CRDs installed: \(crds)")
            let config = KubeConfig(
                server: sim.baseURL, trust: .certificateAuthority(pem: Array(sim.caCertificatePEM.utf8)),
                credentials: .bearerToken(sim.token))
            let cluster = CLICluster(sim: sim, client: client, config: config)
            guard controller else { return try await body(cluster) }
            let controllerClient = try KubeClient(config: config, options: clientOptions)
            let rolloutController = Controller(
                RolloutController(
                    client: controllerClient, runner: AnalysisRunner(secrets: KubeSecretReader(client: controllerClient)),
                    recorder: EventRecorder(client: controllerClient, component: "cutover-controller")),
                configuration: .init(workers: 2))
            let task = Task { _ = try? await rolloutController.run() }
            func stop() async {
                task.cancel()
                await task.value
                try? await controllerClient.shutdown()
            }
            do {
                try await eventually(within: 20, "the controller's caches to sync", pollEvery: .milliseconds(50)) { rolloutController.hasSynced }
                let result = try await body(cluster)
                await stop()
                return result
            } catch {
                await stop()
                throw error
            }
        }
    }

    // MARK: Rollouts

    /// Pods that become ready after 300 ms.
    static let ready = ["sim.cutover.dev/ready-after": "300ms"]
    /// Pods that never become ready.
    static let neverReady = ["sim.cutover.dev/never-ready": "true"]

    /// Creates the Service `name` (selector `app: name`) and the Rollout `name` with image `<name>:1`
    /// and `labels` (e.g. `cutover.dev/group` to make it a group member).
    func createRollout(
        _ name: String, strategy: String = #"{"approval": "Automatic"}"#, progressDeadlineSeconds: Int = 600,
        podAnnotations: [String: String] = CLICluster.ready, preview: Bool = false, labels: [String: String] = [:]
    ) async throws {
        _ = try await client.create(
            Service(metadata: ObjectMeta(name: name, namespace: Self.namespace),
                    spec: ServiceSpec(selector: ["app": name], ports: [ServicePort(name: "http", port: 80)])))
        if preview {
            _ = try await client.create(
                Service(metadata: ObjectMeta(name: "\(name)-preview", namespace: Self.namespace),
                        spec: ServiceSpec(selector: ["app": name], ports: [ServicePort(name: "http", port: 80)])))
        }
        let annotations = String(decoding: try JSONEncoder().encode(podAnnotations), as: UTF8.self)
        let rolloutLabels = String(decoding: try JSONEncoder().encode(labels), as: UTF8.self)
        let services = preview ? #"{"active": "\#(name)", "preview": "\#(name)-preview"}"# : #"{"active": "\#(name)"}"#
        let json = """
            {"apiVersion": "cutover.dev/v1alpha1", "kind": "Rollout",
             "metadata": {"name": "\(name)", "namespace": "\(Self.namespace)", "labels": \(rolloutLabels)},
             "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "\(name)"}},
               "template": {"metadata": {"labels": {"app": "\(name)"}, "annotations": \(annotations)},
                            "spec": {"containers": [{"name": "app", "image": "example/\(name):1"}]}},
               "progressDeadlineSeconds": \(progressDeadlineSeconds),
               "services": \(services), "strategy": \(strategy)}}
            """
        _ = try await client.create(try JSONDecoder().decode(Rollout.self, from: Data(json.utf8)))
    }

    /// Sets a new image (and pod annotations), as `kubectl apply` of a new release would.
    func release(_ name: String, image: String, podAnnotations: [String: String] = CLICluster.ready) async throws {
        // A merge patch merges annotations: the simulator's other keys are removed explicitly.
        var annotations: [String: JSONValue] = [:]
        for key in Array(Self.ready.keys) + Array(Self.neverReady.keys) { annotations[key] = .null }
        for (key, value) in podAnnotations { annotations[key] = .string(value) }
        let patch: JSONValue = [
            "spec": ["template": [
                "metadata": ["annotations": .object(annotations)],
                "spec": ["containers": [["name": "app", "image": .string(image)]]],
            ]]
        ]
        _ = try await client.patch(Rollout.self, name: name, namespace: Self.namespace, patch: .merge(patch))
    }

    func rollout(_ name: String) async throws -> Rollout {
        try await client.get(Rollout.self, name: name, namespace: Self.namespace)
    }

    /// Waits until the controller has acted on the current generation and `condition` holds.
    @discardableResult
    func waitFor(_ name: String, _ what: String, within seconds: Double = 30, _ condition: @escaping (Rollout) -> Bool) async throws -> Rollout {
        let seen = Box<Rollout?>(nil)
        try await eventually(within: seconds, "rollout \(name): \(what)", pollEvery: .milliseconds(50)) {
            let current = try await rollout(name)
            seen.update { $0 = current }
            return ControllerLag.isCurrent(current) && condition(current)
        }
        return try #require(seen.get)
    }

    func waitForPhase(_ name: String, _ phase: RolloutPhase, within seconds: Double = 30) async throws {
        try await waitFor(name, "phase \(phase.rawValue)", within: seconds) { $0.status?.phase == phase }
    }

    /// Writes a kubeconfig for this cluster (CA and token inline) and returns its path.
    func writeKubeconfig(in directory: URL) throws -> String {
        let path = directory.appendingPathComponent("kubeconfig").path
        try sim.writeKubeconfig(to: path)
        return path
    }
}

/// Replaces what varies between runs (durations, ages, times) with placeholders.
func normalised(_ text: String) -> String {
    var result = text
    let patterns: [(String, String)] = [
        (#"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z"#, "<time>"),
        (#"\b(\d+h)?(\d+m)?\d+s\b"#, "<dur>"),
        (#"\b\d+(h|m|d)\b"#, "<dur>"),
    ]
    for (pattern, replacement) in patterns {
        result = result.replacingOccurrences(of: pattern, with: replacement, options: .regularExpression)
    }
    return result
}

/// Compares `actual` with `Golden/<name>.txt`; `UPDATE_GOLDEN=1` rewrites the file instead.
func expectGolden(_ actual: String, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden/\(name).txt")
    if ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] == "1" {
        try actual.write(to: file, atomically: true, encoding: .utf8)
        return
    }
    let expected = try String(contentsOf: file, encoding: .utf8)
    #expect(actual == expected, "output differs from Golden/\(name).txt:\n\(actual)", sourceLocation: sourceLocation)
}
