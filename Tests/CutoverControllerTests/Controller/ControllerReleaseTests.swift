import ClusterHarness
import Cutover
@testable import CutoverController
import KubeAPI
import KubeModels
@testable import KubeRuntime
import Testing

/// A sharded replica builds its controllers again whenever its shards change: one that stopped
/// must be freed with its caches, or every handover would keep a replica's memory twice.
@Suite struct ControllerReleaseTests {
    final class Weak<Object: AnyObject>: @unchecked Sendable {
        weak var object: Object?
        init(_ object: Object) { self.object = object }
    }

    @Test(arguments: [false, true])
    func aStoppedControllerIsFreedWithItsCaches(sharded: Bool) async throws {
        try await withControllerCluster { sim, client, _ in
            try await ReleaseTests.createService(client)
            var reconciler: Weak<RolloutController>?
            var cache: Weak<ObjectCache<Rollout>>?
            do {
                var leases: ShardLeases?
                if sharded {
                    let shardLeases = ShardLeases(
                        client: client, map: ShardMap(count: 1),
                        configuration: try LeaderElectionConfiguration(leaseName: "cutover", leaseNamespace: "default", identity: "a"))
                    await shardLeases.step()
                    leases = shardLeases
                }
                let shards = leases.map { ShardScope(leases: $0, active: $0.active) }
                let controller = Controller(
                    RolloutController(
                        client: client, configuration: .init(shards: shards), runner: AnalysisRunner(secrets: NoSecrets()),
                        recorder: EventRecorder(client: client, component: "cutover-controller")),
                    configuration: .init(workers: 2))
                let groups = Controller(ReleaseGroupController(sharing: controller.reconciler))
                let manager: ControllerManager
                if let leases {
                    manager = ControllerManager(controller, groups, Controller(ShardLabeler(client: client, leases: leases)))
                } else {
                    manager = ControllerManager(controller, groups)
                }
                reconciler = Weak(controller.reconciler)
                cache = Weak(controller.reconciler.rollouts)
                let task = Task { try? await manager.run() }
                _ = try await eventually("the caches to sync", timeout: .seconds(10)) { (manager.hasSynced ? true : nil, "not synced") }
                // A release in flight when it stops: background work, Events, the Rollout cached.
                _ = try await client.create(try ReleaseTests.rollout(image: "web:1", podAnnotations: [:], progressDeadlineSeconds: 60))
                _ = try await ReleaseTests.waitHealthy(client)
                try await ReleaseTests.changeTemplate(client, image: "web:2", podAnnotations: [:])
                _ = try await eventually("the release under way", timeout: .seconds(10)) {
                    let phase = try await client.get(Rollout.self, name: "web", namespace: ReleaseTests.namespace).status?.phase
                    return (phase == .progressing || phase == .canary ? true : nil, "\(phase?.rawValue ?? "-")")
                }
                task.cancel()
                await task.value
            }
            // Its watches closed too: a watch left open would keep the server sending events into buffers nobody reads.
            _ = try await eventually("the stopped controller's watches to close", timeout: .seconds(5)) {
                (sim.openWatches == 0 ? true : nil, "\(sim.openWatches) watches open")
            }
            _ = try await eventually("the stopped controller to be freed", timeout: .seconds(5)) {
                (reconciler?.object == nil && cache?.object == nil ? true : nil, "reconciler \(reconciler?.object == nil ? "freed" : "alive"), cache \(cache?.object == nil ? "freed" : "alive")")
            }
        }
    }
}
