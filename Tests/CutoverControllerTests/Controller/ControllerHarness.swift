import ClusterHarness
import Cutover
import CutoverController
import Foundation
import KubeAPI
import KubeModels
import KubeRuntime
import KubeSim
import Synchronization
import Testing

/// A KubeSim over HTTPS with simulated workloads and the Rollout CRD, and a ``RolloutController``
/// running in-process against it; all stopped when `body` returns or throws.
func withController<T: Sendable>(_ body: (KubeSim, KubeClient) async throws -> T) async throws -> T {
    try await withControllerCluster { sim, client, controllers in
        try await controllers.start()
        return try await body(sim, client)
    }
}

/// A KubeSim over HTTPS with simulated workloads and the Rollout CRD, a client for the test, and
/// ``ControllerRuns`` to start and stop controllers against it; all stopped when `body` ends.
func withControllerCluster<T: Sendable>(_ body: (KubeSim, KubeClient, ControllerRuns) async throws -> T) async throws -> T {
    var options = KubeSim.Options()
    options.simulateWorkloads = true
    options.tickInterval = .milliseconds(100)
    let sim = try await KubeSim.start(options)
    let crds = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("crds").path
    let config = KubeConfig(
        server: sim.baseURL, trust: .certificateAuthority(pem: Array(sim.caCertificatePEM.utf8)),
        credentials: .bearerToken(sim.token))
    let runs = ControllerRuns(config: config)
    var testClient: KubeClient?
    do {
        _ = try await sim.loadCRDs(fromDirectory: crds)
        let client = try KubeClient(config: config, options: ControllerRuns.clientOptions)
        testClient = client
        let result = try await body(sim, client, runs)
        await runs.stopAll()
        try? await client.shutdown()
        try? await sim.stop()
        return result
    } catch {
        await runs.stopAll()
        try? await testClient?.shutdown()
        try? await sim.stop()
        throw error
    }
}

/// Controllers started by a test, each with its own client, as separate processes would be.
final class ControllerRuns: Sendable {
    static let clientOptions = KubeClient.Options(retry: RetryPolicy(baseDelay: 0.05, maxDelay: 0.5), requestTimeout: 5)

    private struct Run {
        var controller: Controller<RolloutController>
        var client: KubeClient
        var task: Task<Void, Never>
    }

    private let config: KubeConfig
    private let runs = Mutex<[Run]>([])

    init(config: KubeConfig) {
        self.config = config
    }

    /// Starts a controller (the Rollout and ReleaseGroup reconcilers in one manager, as the binary
    /// runs them) and returns once its caches have synced.
    @discardableResult
    func start() async throws -> Controller<RolloutController> {
        let client = try KubeClient(config: config, options: Self.clientOptions)
        let controller = Controller(
            RolloutController(
                client: client, runner: AnalysisRunner(secrets: NoSecrets()),
                recorder: EventRecorder(client: client, component: "cutover-controller")),
            configuration: .init(workers: 2))
        let manager = ControllerManager(controller, Controller(ReleaseGroupController(sharing: controller.reconciler)))
        let task = Task { _ = try? await manager.run() }
        runs.withLock { $0.append(Run(controller: controller, client: client, task: task)) }
        _ = try await eventually("the controller's caches to sync", timeout: .seconds(10)) {
            (manager.hasSynced ? true : nil, "not synced")
        }
        return controller
    }

    /// Stops every running controller as SIGTERM would (cancel, wait for in-flight reconciles).
    func stopAll() async {
        let stopping = runs.withLock { runs in
            defer { runs.removeAll() }
            return runs
        }
        for run in stopping {
            run.task.cancel()
            await run.task.value
            try? await run.client.shutdown()
        }
    }
}

/// Watches a Rollout (every status write, through a watch) and polls its active Service, and
/// remembers what it saw: the phases, every revision the active Service selected, and every moment
/// the Service selected a revision with no ready pod (DESIGN.md §2: the active Service always
/// selects ready pods).
final class ReleaseMonitor: Sendable {
    struct Seen: Sendable {
        var phases: [RolloutPhase] = []
        var selectedRevisions: [String] = []
        var violations: [String] = []
    }

    private let seen = Mutex(Seen())
    var snapshot: Seen { seen.withLock { $0 } }

    /// Runs until the calling task is cancelled. Phases come from a watch so that a short phase is
    /// never missed on a busy machine; the Service is polled every 50 ms.
    func watch(client: KubeClient, rollout: String, service: String, namespace: String) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.followPhases(client: client, rollout: rollout, namespace: namespace) }
            group.addTask { await self.pollService(client: client, service: service, namespace: namespace) }
        }
    }

    private func followPhases(client: KubeClient, rollout: String, namespace: String) async {
        var resourceVersion = "0"
        while !Task.isCancelled {
            let options = WatchOptions(fieldSelector: "metadata.name=\(rollout)", resourceVersion: resourceVersion, timeoutSeconds: 60)
            do {
                for try await update in client.watch(Rollout.self, namespace: namespace, options: options) {
                    if case .bookmark(let version, _) = update { resourceVersion = version }
                    guard let current = update.object else { continue }
                    resourceVersion = current.metadata.resourceVersion ?? resourceVersion
                    if let phase = current.status?.phase {
                        seen.withLock { if $0.phases.last != phase { $0.phases.append(phase) } }
                    }
                }
            } catch {
                if Task.isCancelled { return }
                resourceVersion = "0"
                try? await Task.sleep(for: .milliseconds(50))
            }
        }
    }

    private func pollService(client: KubeClient, service: String, namespace: String) async {
        while !Task.isCancelled {
            if let active = try? await client.get(Service.self, name: service, namespace: namespace),
                let revision = active.spec?.selector?[CutoverLabels.revision]
            {
                seen.withLock { if $0.selectedRevisions.last != revision { $0.selectedRevisions.append(revision) } }
                let selected = try? await client.list(
                    Deployment.self, namespace: namespace,
                    options: ListOptions(labelSelector: "\(CutoverLabels.revision)=\(revision)"))
                let ready = selected?.items.reduce(Int32(0)) { $0 + ($1.status?.readyReplicas ?? 0) } ?? 0
                if selected != nil, ready == 0 {
                    seen.withLock { $0.violations.append("active Service selects revision \(revision) with no ready pod") }
                }
            }
            try? await Task.sleep(for: .milliseconds(50))
        }
    }
}
