import KubeAPI
import KubeModels
import KubeSim
import SimulatorHarness
import Testing

@testable import KubeRuntime

/// A second reconciler over the toy's source cache: it only notes the keys it sees.
struct SourceWatcher: Reconciler {
    let sources: ObjectCache<ConfigMap>
    let log: ReconcileLog
    var triggers: [Trigger<ObjectKey>] { [.primary(sources)] }

    func reconcile(_ key: ObjectKey) async throws -> Duration? {
        log.note("watcher saw \(key.name)")
        return nil
    }
}

@Suite struct ControllerManagerTests {
    @Test func controllersSharingACacheListAndWatchItOnceAndEachReconcilesItsKeys() async throws {
        try await withRuntimeSimulator { sim, client in
            _ = try await client.create(ControllerTests.source("early"))
            let log = ReconcileLog()
            let copies = Controller(CopyReconciler(client: client, log: log))
            let watcher = Controller(SourceWatcher(sources: copies.reconciler.sources, log: log))
            let manager = ControllerManager(copies, watcher)
            let running = Task { try await manager.run() }
            defer { running.cancel() }
            try await eventually("both controllers to reconcile the source") {
                try await ControllerTests.copy(client, of: "early") != nil && log.events.contains("watcher saw early")
            }
            #expect(manager.hasSynced)
            try await eventually("the caches' watches to open") { sim.openWatches >= 2 }
            _ = try await client.create(ControllerTests.source("late"))
            try await eventually("both to see an object created later") {
                try await ControllerTests.copy(client, of: "late") != nil && log.events.contains("watcher saw late")
            }
            #expect(sim.openWatches == 2, "the sources and the copies, each watched once")
            running.cancel()
            try await running.value
        }
    }
}
