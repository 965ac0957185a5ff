import CutoverController
import KubeRuntime
import Logging
import ServiceLifecycle

/// With `--shards N` (N > 1): the shard Leases, and the controllers built for the shards this
/// replica acts on, rebuilt whenever those change (a replica joined or left, a lease was lost).
///
/// A shard that stops being active is out of the running controllers at once (every reconcile
/// passes ``ShardLeases/begin(_:)``); the controllers are then stopped (the reconciles in flight
/// finish, background work is cancelled), and built again for the shards left, which lists their
/// objects afresh. The controllers pin their shards while they run, so a shard being handed over
/// is released only once they have stopped. On graceful shutdown the controllers stop first,
/// then every shard Lease is handed back.
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
        metrics.setLeader(false)
        try? await cancelWhenGracefulShutdown { await self.follow(changes) }
        renewing.cancel()
        await renewing.value
        await leases.release()
        metrics.setLeader(false)
        logger.info("controller stopped; shards handed back")
    }

    /// Runs controllers for the active shards until cancelled.
    private func follow(_ changes: AsyncStream<ShardLeases.ActiveShards>) async {
        var shards: Set<Int> = []
        var task: Task<Void, Never>?
        for await _ in changes {
            // A round of the leases publishes a few changes in a row: build once, for the last.
            try? await Task.sleep(for: .milliseconds(300))
            if Task.isCancelled { break }
            guard leases.active != shards else { continue }
            await stop(task, pinned: shards)
            task = nil
            // Pinned for the controllers' lifetime, background work included: a shard handed back
            // is released only once the controllers built with it have stopped.
            shards = leases.active.filter { leases.begin($0) }
            metrics.setLeader(!shards.isEmpty)
            guard !shards.isEmpty else { continue }
            logger.info("running the controllers for shards \(shards.sorted())")
            let built = assembly.build(shards: ShardScope(leases: leases, active: shards))
            running.current = built
            task = Task { try? await built.manager.run() }
        }
        await stop(task, pinned: shards)
    }

    /// Stops the controllers (the reconciles in flight finish, background work is cancelled) and
    /// unpins their shards.
    private func stop(_ task: Task<Void, Never>?, pinned: Set<Int>) async {
        if let task {
            task.cancel()
            await task.value
        }
        running.current = nil
        for shard in pinned { leases.end(shard) }
    }
}
