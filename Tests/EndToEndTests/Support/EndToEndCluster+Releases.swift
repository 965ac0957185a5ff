import Cutover
import Foundation
import KubeModels
import Testing
@testable import ClusterHarness

#if canImport(Glibc)
import Glibc
#endif

/// The steps every release test starts with, done as a user would with kubectl.
extension EndToEndCluster {
    /// The test Rollout pointed at this cluster's Prometheus.
    func rolloutManifest() -> RolloutManifest {
        RolloutManifest(namespace: namespace, prometheusAddress: prometheus?.address ?? "http://127.0.0.1:9")
    }

    /// Applies the Services and the Rollout's first revision and waits until the active Service
    /// serves it; returns that revision (blue).
    func deployFirst(_ manifest: RolloutManifest) async throws -> String {
        try await apply(RolloutManifest.services(name: manifest.name, namespace: namespace), file: "services.yaml")
        let rollout = try await release(manifest, until: "the first revision to be Healthy") { $0.status?.phase == .healthy }
        return try #require(rollout.status?.activeRevision)
    }

    /// `kubectl apply`s `manifest` and waits until the controller has seen that generation and
    /// `condition` holds; returns the Rollout.
    @discardableResult
    func release(
        _ manifest: RolloutManifest, until what: String, timeout: Duration = .seconds(90),
        _ condition: @escaping (Rollout) -> Bool
    ) async throws -> Rollout {
        try await apply(manifest.yaml, file: "rollout-\(UUID().uuidString.prefix(8)).yaml")
        let generation = try await get("rollout/\(manifest.name)", jsonpath: "{.metadata.generation}")
        return try await monitor.waitForRollout(manifest.name, what, timeout: timeout) {
            "\($0.status?.observedGeneration ?? 0)" == generation && condition($0)
        }
    }

    /// Applies `manifest`, SIGKILLs the running controller once the release satisfies
    /// `condition`, starts another (`controller-2`) and waits until the new revision serves,
    /// `Healthy`. Returns the Rollout as the kill found it and as it ended.
    func releaseAcrossAKill(
        _ manifest: RolloutManifest, killWhen what: String, _ condition: @escaping (Rollout) -> Bool
    ) async throws -> (atKill: Rollout, healthy: Rollout) {
        let atKill = try await release(manifest, until: what, condition)
        let green = try #require(atKill.status?.greenRevision)
        try await killAndReplaceController()
        let healthy = try await monitor.waitForRollout(manifest.name, "Healthy on green after the kill", timeout: .seconds(90)) {
            $0.status?.phase == .healthy && $0.status?.activeRevision == green
        }
        return (atKill, healthy)
    }

    /// SIGKILLs the running controller and waits until it is gone.
    func killController() async throws {
        let running = try #require(controllerProcesses.last { $0.isRunning }, "a running controller")
        await running.stop(signal: SIGKILL)
    }

    /// SIGKILLs the running controller and starts another (`controller-2`, `controller-3`, ...).
    func killAndReplaceController() async throws {
        try await killController()
        try await startController("controller-\(controllerProcesses.count + 1)")
    }

    /// The revision label value the active Service's selector holds now, read with kubectl.
    func selectedRevision(_ service: String = "payment") async throws -> String {
        try await get("service/\(service)", jsonpath: "{.spec.selector.cutover\\.dev/revision}")
    }

    /// `spec.replicas` of a revision's Deployment, read with kubectl.
    func replicas(of revision: String, rollout: String = "payment") async throws -> String {
        try await get("deployment/\(rollout)-\(revision)", jsonpath: "{.spec.replicas}")
    }

    /// The core/v1 Events about the Rollout (or another `kind`) `name` (`kubectl get events -o json`), oldest first.
    func events(about name: String = "payment", kind: String = "Rollout") async throws -> [Event] {
        let json = try await kubectl("get", "events", "-n", namespace, "-o", "json")
        let list = try JSONDecoder().decode(ObjectList<Event>.self, from: Data(json.utf8))
        return list.items.filter { $0.involvedObject.name == name && $0.involvedObject.kind == kind }
    }

    /// A fresh value for an action annotation (each value acts once).
    static func actionValue() -> String { "\(Int(Date().timeIntervalSince1970 * 1000))" }
}

extension ClusterModel {
    /// The distinct states of the release of `green`, in order.
    func release(_ rollout: String, green: String) -> [RolloutState] {
        states(rollout).filter { $0.green == green || ($0.active == green && $0.phase == .healthy) }
    }
}
