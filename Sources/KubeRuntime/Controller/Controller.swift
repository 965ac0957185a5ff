import Logging
import ServiceLifecycle

/// Runs a ``Reconciler``: its caches, the keys their changes wake, a ``WorkQueue`` and a number of
/// workers, in the manner of controller-runtime's controller and kube-rs's `Controller`.
///
/// Promises:
/// - the caches are subscribed before they start, so every object of the first lists wakes its key;
/// - no reconcile runs before every cache has its first complete list;
/// - one key is never reconciled by two workers at once; keys woken while queued are merged;
/// - a reconcile's requeue-after, a failure's backoff (capped, reset by the next success) and
///   a ``TerminalError`` (not retried) are honoured;
/// - ``run()`` stops on cancellation or graceful shutdown (it is a ServiceLifecycle `Service`): it
///   takes no new key, lets the reconciles in flight finish (they are not cancelled), then stops
///   the background work and the caches, and returns.
public final class Controller<R: Reconciler>: Service {
    /// How the controller runs.
    public struct Configuration: Sendable {
        /// Reconciles running at once (each on a different key).
        public var workers: Int
        /// Delay before retrying a failed key; doubles with each failure in a row.
        public var backoff: Backoff
        /// The clock of requeue-after and backoff delays.
        public var time: any TimeSource

        public init(
            workers: Int = 4, backoff: Backoff = Backoff(initial: .milliseconds(50), maximum: .seconds(60)),
            time: any TimeSource = SystemTimeSource()
        ) {
            self.workers = workers
            self.backoff = backoff
            self.time = time
        }
    }

    /// What the controller reconciles.
    public let reconciler: R
    public let configuration: Configuration
    private let triggers: [Trigger<R.Key>]
    private let caches: [any RunnableCache]
    let queue: WorkQueue<R.Key>
    private let logger: Logger

    public init(_ reconciler: R, configuration: Configuration = Configuration(), logger: Logger = Logger(label: "kube.controller")) {
        self.reconciler = reconciler
        self.configuration = configuration
        self.logger = logger
        triggers = reconciler.triggers
        var caches: [any RunnableCache] = []
        for cache in triggers.compactMap(\.cache) where !caches.contains(where: { $0 === cache }) { caches.append(cache) }
        self.caches = caches
        queue = WorkQueue(backoff: configuration.backoff, time: configuration.time)
    }

    /// Whether every cache holds its first complete list (what `/readyz` reports).
    public var hasSynced: Bool { caches.allSatisfy(\.hasSynced) }

    /// Keys waiting to be reconciled (not counting delayed ones): the queue-depth metric.
    public var queueDepth: Int { get async { await queue.depth } }

    /// Runs until the calling task is cancelled or a graceful shutdown begins; see the promises
    /// above. Run a controller once: the streams of its ``Trigger/keys(_:)`` triggers end with it.
    public func run() async throws {
        try await cancelWhenGracefulShutdown { await self.runUntilCancelled() }
    }

    private func runUntilCancelled() async {
        let feeds = triggers.flatMap { $0.subscribe() }
        let queue = self.queue
        let background = Task {
            await withDiscardingTaskGroup { group in
                for cache in self.caches { group.addTask { await cache.run() } }
                for feed in feeds { group.addTask { await feed(queue) } }
                group.addTask { await self.reconciler.runBackground() }
            }
        }
        // Not a child of this task: cancelling `run()` must not cancel a reconcile half-way through
        // its actions. Shutting the queue down stops the workers once their keys are done.
        let workers = Task {
            guard await self.waitUntilSynced() else { return }
            self.logger.info("caches synced; reconciling", metadata: ["workers": "\(self.configuration.workers)"])
            await queue.run(workers: self.configuration.workers) { key in try await self.reconcile(key) }
        }
        await withTaskCancellationHandler {
            await workers.value
        } onCancel: {
            Task { await queue.shutDown() }
        }
        await queue.drain()
        background.cancel()
        await background.value
    }

    /// Polls until every cache has synced; false once the queue shuts down first. (A reflector's
    /// own wait never returns once it stopped unsynced, which a shutdown before the first list does.)
    private func waitUntilSynced() async -> Bool {
        while !hasSynced {
            if await queue.isShuttingDown { return false }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return true
    }

    private func reconcile(_ key: R.Key) async throws -> Duration? {
        do {
            return try await reconciler.reconcile(key)
        } catch let error as TerminalError {
            logger.error("reconcile failed; not retrying until the object changes", metadata: ["key": "\(key)", "error": "\(error)"])
            return nil
        } catch {
            logger.debug("reconcile failed; retrying with backoff", metadata: ["key": "\(key)", "error": "\(error)"])
            throw error
        }
    }
}
