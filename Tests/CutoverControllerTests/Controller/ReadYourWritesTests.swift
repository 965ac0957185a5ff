import ClusterHarness
import Cutover
import Foundation
import KubeAPI
import KubeModels
import KubeRuntime
import Testing

@testable import CutoverController

/// The bug the status-write bridge once fixed, now through ``Store/assumeWritten(_:over:)``: after a
/// revert, a reconcile whose Rollout cache trails the revert's status write (while the Service and
/// Deployment caches already show the revert) must not undo it.
@Suite("Reading our own writes", .timeLimit(.minutes(2)))
struct ReadYourWritesTests {
    static let namespace = ReleaseTests.namespace

    /// A Rollout with one long canary step and analysis whose first measurement would come only
    /// after 30 s, so no measurement is taken while the test sets the scene.
    static func rollout(image: String) throws -> Rollout {
        let json = """
            {"apiVersion": "cutover.dev/v1alpha1", "kind": "Rollout",
             "metadata": {"name": "web", "namespace": "\(namespace)"},
             "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
               "template": {"metadata": {"labels": {"app": "web"}, "annotations": {"sim.cutover.dev/ready-after": "300ms"}},
                            "spec": {"containers": [{"name": "app", "image": "\(image)"}]}},
               "progressDeadlineSeconds": 60, "services": {"active": "web"},
               "strategy": {"canary": {"steps": [{"weight": 50, "pause": "1h"}]}, "approval": "Automatic", "holdWindow": "1s"},
               "analysis": {"prometheus": {"address": "http://127.0.0.1:1"}, "interval": "30s",
                            "metrics": [{"name": "error-rate", "query": "errors", "max": 0.05}]}}}
            """
        return try JSONDecoder().decode(Rollout.self, from: Data(json.utf8))
    }

    /// Fills the reconciler's caches with what the server holds now, as a first list would.
    static func fill(_ reconciler: RolloutController, from client: KubeClient) async throws {
        let rollouts = try await client.list(Rollout.self, namespace: namespace).items
        let deployments = try await client.list(
            Deployment.self, namespace: namespace, options: ListOptions(labelSelector: CutoverLabels.rollout)).items
        let services = try await client.list(Service.self, namespace: namespace).items
        reconciler.rollouts.store(for: namespace)?.replaceAll(rollouts)
        reconciler.deployments.store(for: namespace)?.replaceAll(deployments)
        reconciler.services.store(for: namespace)?.replaceAll(services)
    }

    /// A running controller takes the Rollout to a canary of its second revision, then stops:
    /// blue and green.
    static func stopInCanary(_ client: KubeClient, _ controllers: ControllerRuns) async throws -> (blue: String, green: String) {
        try await controllers.start()
        try await ReleaseTests.createService(client)
        _ = try await client.create(try rollout(image: "example/web:1"))
        let first = try await ReleaseTests.waitHealthy(client)
        let blue = try #require(first.status?.activeRevision)
        try await ReleaseTests.changeTemplate(client, image: "example/web:2", podAnnotations: ["sim.cutover.dev/ready-after": "300ms"])
        let canary = try await eventually("the canary step", timeout: .seconds(30)) {
            let rollout = try await client.get(Rollout.self, name: "web", namespace: namespace)
            return (rollout.status?.phase == .canary ? rollout : nil, "phase \(rollout.status?.phase?.rawValue ?? "-")")
        }
        let green = try #require(canary.status?.greenRevision)
        await controllers.stopAll()
        return (blue, green)
    }

    /// A reconciler whose caches are filled once and never updated: no watch runs. Shut its client down.
    static func standaloneReconciler(_ client: KubeClient) async throws -> (RolloutController, KubeClient) {
        let controllerClient = try KubeClient(config: client.config, options: ControllerRuns.clientOptions)
        let reconciler = RolloutController(
            client: controllerClient, runner: AnalysisRunner(secrets: NoSecrets()),
            recorder: EventRecorder(client: controllerClient, component: "cutover-controller"))
        try await fill(reconciler, from: client)
        return (reconciler, controllerClient)
    }

    /// A breach of green reaches `reconciler`, which reconciles once: the Rollout is RolledBack and
    /// its Service on blue. Returns the Rollout as the server has it.
    static func revertOnABreach(_ reconciler: RolloutController, _ client: KubeClient, green: String, blue: String) async throws -> Rollout {
        let key = RolloutKey(namespace: namespace, name: "web")
        let breach = Measurement(metric: "error-rate", revision: green, at: Date(), value: .value(0.5))
        await reconciler.effects.measurements.deliver([breach], for: key)
        _ = try await reconciler.reconcile(key)
        let reverted = try await client.get(Rollout.self, name: "web", namespace: namespace)
        #expect(reverted.status?.phase == .rolledBack)
        #expect(try await client.get(Service.self, name: "web", namespace: namespace).spec?.selector?[CutoverLabels.revision] == blue)
        return reverted
    }

    @Test func aReconcileOnStaleCachesAfterARevertDoesNotUndoIt() async throws {
        try await withControllerCluster { _, client, controllers in
            let (blue, green) = try await Self.stopInCanary(client, controllers)
            let (reconciler, controllerClient) = try await Self.standaloneReconciler(client)
            defer { Task { try? await controllerClient.shutdown() } }
            let key = RolloutKey(namespace: Self.namespace, name: "web")
            let base = try #require(reconciler.rollouts.get(key))

            // A breach arrives: the reconcile reverts (Service back on blue, green to 0, RolledBack).
            let reverted = try await Self.revertOnABreach(reconciler, client, green: green, blue: blue)

            // The Rollout cache shows the written status at once, before any watch could deliver it.
            #expect(reconciler.rollouts.get(key)?.status?.phase == .rolledBack)
            #expect(reconciler.rollouts.get(key)?.metadata.resourceVersion == reverted.metadata.resourceVersion)

            // The watches of Services and Deployments deliver the revert's own changes first (they
            // are what wakes the next reconcile), while the Rollout's watch still trails: had the
            // reconcile planned from the Rollout as it was before the revert, it would take the
            // canary up again (selector widened, green scaled up).
            let trailing = reconciler.rollouts.store(for: Self.namespace)?.upsert(base)
            #expect(trailing?.object.metadata.resourceVersion == nil, "the version our write replaced is not applied again")
            let deployments = try await client.list(
                Deployment.self, namespace: Self.namespace, options: ListOptions(labelSelector: CutoverLabels.rollout)).items
            let services = try await client.list(Service.self, namespace: Self.namespace).items
            reconciler.deployments.store(for: Self.namespace)?.replaceAll(deployments)
            reconciler.services.store(for: Self.namespace)?.replaceAll(services)
            _ = try await reconciler.reconcile(key)
            _ = try await reconciler.reconcile(key)
            let after = try await client.get(Rollout.self, name: "web", namespace: Self.namespace)
            #expect(after.status?.phase == .rolledBack)
            #expect(after.status?.activeRevision == blue)
            #expect(try await client.get(Service.self, name: "web", namespace: Self.namespace).spec?.selector?[CutoverLabels.revision] == blue)
            let greenDeployment = try #require(try await ReleaseTests.deployment(client, revision: green))
            #expect(greenDeployment.spec?.replicas == 0, "green was not scaled up again")
        }
    }

    /// Found by cutover-chaos: a leader switched the Service back to blue for a revert and was
    /// killed before its status write; the next leader put the canary split back (its status still
    /// says the canary runs), then a breach came. The revert, planned from a Service cache that had
    /// not seen that patch yet, sent no switch and wrote RolledBack while green still served.
    /// A Service patch is read back into the cache at once.
    @Test func aRevertRightAfterOurOwnSelectorPatchSwitchesTheServiceBack() async throws {
        try await withControllerCluster { _, client, controllers in
            let (blue, green) = try await Self.stopInCanary(client, controllers)
            // The dead leader's revert: the Service is back on blue; the status still says canary.
            let revert = JSONValue.object(["spec": .object(["selector": .object([CutoverLabels.revision: .string(blue)])])])
            _ = try await client.patch(Service.self, name: "web", namespace: Self.namespace, patch: .merge(revert))

            let (reconciler, controllerClient) = try await Self.standaloneReconciler(client)
            defer { Task { try? await controllerClient.shutdown() } }
            let key = RolloutKey(namespace: Self.namespace, name: "web")
            _ = try await reconciler.reconcile(key)
            let split = try await client.get(Service.self, name: "web", namespace: Self.namespace)
            #expect(split.spec?.selector?[CutoverLabels.revision] == nil, "the status says the canary runs: the split is put back")
            #expect(reconciler.services.get(name: "web", namespace: Self.namespace)?.metadata.resourceVersion == split.metadata.resourceVersion)

            _ = try await Self.revertOnABreach(reconciler, client, green: green, blue: blue)
        }
    }
}
