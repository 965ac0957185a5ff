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
    let caches: [any RunnableCache]
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
    /// (To share caches with other controllers, run them together in a ``ControllerManager``.)
    public func run() async throws {
        try await ControllerManager(self).run()
    }

    /// Subscribes the triggers (before the caches run) and returns the loops feeding the queue.
    func subscribe() -> [@Sendable () async -> Void] {
        let queue = self.queue
        return triggers.flatMap { $0.subscribe() }.map { feed in { await feed(queue) } }
    }

    /// Reconciles with the configured workers once every cache has synced, until the queue shuts down.
    func runWorkers() async {
        guard await waitUntilSynced() else { return }
        logger.info("caches synced; reconciling", metadata: ["workers": "\(configuration.workers)"])
        await queue.run(workers: configuration.workers) { key in try await self.reconcile(key) }
    }

    func runBackground() async { await reconciler.runBackground() }

    /// Takes no new key; the reconciles in flight finish.
    func shutDown() async { await queue.shutDown() }

    /// Returns once the reconciles in flight have finished.
    func drain() async { await queue.drain() }

    /// Polls until every cache has synced; false once the queue shuts down first. (A reflector's
    /// own wait never returns once it stopped unsynced, which a shutdown before the first list does.)
    private func waitUntilSynced() async -> Bool {
        while !hasSynced {
            if await queue.isShuttingDown { return false }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return true
    }

    /// Failures in a row of one key after which they are logged as warnings (then every 20th).
    static var persistentFailures: Int { 5 }

    private func reconcile(_ key: R.Key) async throws -> Duration? {
        do {
            return try await reconciler.reconcile(key)
        } catch let error as TerminalError {
            logger.error("reconcile failed; not retrying until the object changes", metadata: ["key": "\(key)", "error": "\(error)"])
            return nil
        } catch {
            // The first failures are routine (a conflict, a blip); one that keeps coming is not.
            let failures = await queue.failureCount(key) + 1
            let metadata: Logger.Metadata = ["key": "\(key)", "error": "\(error)", "failures": "\(failures)"]
            if failures == Self.persistentFailures || (failures > Self.persistentFailures && failures % 20 == 0) {
                logger.warning("reconcile keeps failing; retrying with backoff", metadata: metadata)
            } else {
                logger.debug("reconcile failed; retrying with backoff", metadata: metadata)
            }
            throw error
        }
    }
}
