import Logging
import ServiceLifecycle

/// Runs several ``Controller``s over shared caches, as controller-runtime's manager does: a cache
/// named by the triggers of several controllers is listed and watched once (at 10,000 Rollouts
/// the Rollout cache is most of the process, and two reconcilers read it).
///
/// Promises, for every controller: its triggers are subscribed before any cache starts; no
/// reconcile runs before its caches synced; on cancellation or graceful shutdown every controller
/// stops taking keys, the reconciles in flight finish, then the background work and the caches
/// stop. Run a manager once.
public final class ControllerManager: Service {
    private let controllers: [any ManagedController]
    private let caches: [any RunnableCache]

    public init<each R: Reconciler>(_ controller: repeat Controller<each R>) {
        var controllers: [any ManagedController] = []
        for controller in repeat each controller { controllers.append(controller) }
        self.controllers = controllers
        var caches: [any RunnableCache] = []
        for cache in controllers.flatMap(\.caches) where !caches.contains(where: { $0 === cache }) { caches.append(cache) }
        self.caches = caches
    }

    /// Whether every cache holds its first complete list (what `/readyz` reports).
    public var hasSynced: Bool { caches.allSatisfy(\.hasSynced) }

    public func run() async throws {
        try await cancelWhenGracefulShutdown { await self.runUntilCancelled() }
    }

    private func runUntilCancelled() async {
        let controllers = self.controllers
        let feeds = controllers.flatMap { $0.subscribe() }
        let background = Task {
            await withDiscardingTaskGroup { group in
                for cache in self.caches { group.addTask { await cache.run() } }
                for feed in feeds { group.addTask { await feed() } }
                for controller in controllers { group.addTask { await controller.runBackground() } }
            }
        }
        // Not a child of this task: cancelling `run()` must not cancel a reconcile half-way through
        // its actions. Shutting the queues down stops the workers once their keys are done.
        let workers = Task {
            await withDiscardingTaskGroup { group in
                for controller in controllers { group.addTask { await controller.runWorkers() } }
            }
        }
        await withTaskCancellationHandler {
            await workers.value
        } onCancel: {
            Task { for controller in controllers { await controller.shutDown() } }
        }
        for controller in controllers { await controller.drain() }
        background.cancel()
        await background.value
    }
}

/// What a ``ControllerManager`` runs of a ``Controller``.
protocol ManagedController: AnyObject, Sendable {
    var caches: [any RunnableCache] { get }
    func subscribe() -> [@Sendable () async -> Void]
    func runWorkers() async
    func runBackground() async
    func shutDown() async
    func drain() async
}

extension Controller: ManagedController {}
