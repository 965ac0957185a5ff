import CutoverController
import KubeRuntime
import Logging
import ServiceLifecycle

/// With `--shards N` (N > 1): the shard Leases, the replica's shard labeller, and one set of
/// controllers per shard the replica acts on.
///
/// A shard that stops being active is out of its controllers at once (every reconcile passes
/// ``ShardLeases/begin(_:)``); they are then stopped (the reconciles in flight finish, background
/// work is cancelled). A shard that becomes active gets controllers of its own, which list only
/// its objects: the replica's other shards go on undisturbed. Controllers pin their shard while
/// they run, so a shard being handed over is released only once they have stopped. On graceful
/// shutdown the controllers stop first, then every shard Lease is handed back.
struct ShardedControllerService: Service {
    let leases: ShardLeases
    let assembly: ControllerAssembly
    let running: RunningControllers
    let metrics: ControllerMetrics
    let logger: Logger

    func run() async throws {
        let changes = leases.changes()
        let leases = leases
        let renewing = Task { await leases.run() }
        let labeler = assembly.labeler(leases)
        let labelling = Task { try? await labeler.run() }
        metrics.setLeader(false)
        try? await cancelWhenGracefulShutdown { await self.follow(changes) }
        labelling.cancel()
        await labelling.value
        renewing.cancel()
        await renewing.value
        await leases.release()
        metrics.setLeader(false)
        logger.info("controller stopped; shards handed back")
    }

    /// Runs controllers for each active shard until cancelled.
    private func follow(_ changes: AsyncStream<ShardLeases.ActiveShards>) async {
        var tasks: [Int: Task<Void, Never>] = [:]
        for await _ in changes {
            // A round of the leases publishes a few changes in a row: act on the last.
            try? await Task.sleep(for: .milliseconds(300))
            if Task.isCancelled { break }
            let active = leases.active
            await stop(tasks.filter { !active.contains($0.key) }, from: &tasks)
            // Pinned for the controllers' lifetime, background work included.
            for shard in active.sorted() where tasks[shard] == nil && leases.begin(shard) {
                logger.info("running the controllers of shard \(shard)")
                let built = assembly.build(shards: ShardScope(leases: leases, active: [shard]))
                running[shard] = built
                tasks[shard] = Task { try? await built.manager.run() }
            }
            metrics.setLeader(!tasks.isEmpty)
        }
        await stop(tasks, from: &tasks)
    }

    /// Stops the controllers of `stopping` at once (each drains its reconciles in flight) and
    /// unpins their shards.
    private func stop(_ stopping: [Int: Task<Void, Never>], from tasks: inout [Int: Task<Void, Never>]) async {
        guard !stopping.isEmpty else { return }
        logger.info("stopping the controllers of shards \(stopping.keys.sorted())")
        for task in stopping.values { task.cancel() }
        for (shard, task) in stopping {
            await task.value
            running[shard] = nil
            tasks[shard] = nil
            leases.end(shard)
        }
    }
}
