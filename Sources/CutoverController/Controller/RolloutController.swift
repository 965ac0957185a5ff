import Cutover
import KubeAPI
import KubeModels
import KubeRuntime
import Logging
import Synchronization

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The Cutover controller: watches Rollouts, their Deployments and Services, and reconciles each
/// Rollout (observe → ``planNextStep(for:now:)`` → act → write status) on a work queue.
///
/// Promises:
/// - nothing about a release is remembered between reconciles: every decision is made from the
///   caches and the Rollout's own status, so a restarted controller continues where it was;
/// - one Rollout is never reconciled by two workers at once;
/// - a Rollout's own status writes do not wake it; its spec, metadata, owned Deployments, named
///   Services, finished measurements and the plan's `requeueAfter` do;
/// - a measurement is never lost to a failed status write (a 409 Conflict included): it is put
///   back into the runner and planned with again, and never recorded twice;
/// - ``run()`` returns after its task is cancelled, once the reconciles in flight have finished.
public final class RolloutController: Sendable {
    /// How the controller runs.
    public struct Configuration: Sendable {
        /// Namespaces to watch; empty watches all of them.
        public var namespaces: [String]
        /// Reconciles running at once (each on a different Rollout).
        public var workers: Int
        /// Delay before looking again after a status write lost a race (409 Conflict).
        public var conflictRequeue: Duration
        /// `fieldManager` of every write.
        public var fieldManager: String

        public init(
            namespaces: [String] = [], workers: Int = 4, conflictRequeue: Duration = .milliseconds(250),
            fieldManager: String = "cutover-controller"
        ) {
            self.namespaces = namespaces
            self.workers = workers
            self.conflictRequeue = conflictRequeue
            self.fieldManager = fieldManager
        }
    }

    public let configuration: Configuration
    let client: KubeClient
    let runner: AnalysisRunner
    let webhooks: WebhookClient
    let hooks: HookRunner
    let notifier: Notifier
    let recorder: EventRecorder
    /// Operator metrics; nil records none.
    let metrics: ControllerMetrics?
    let logger: Logger
    let rollouts: NamespacedCache<Rollout>
    let deployments: NamespacedCache<Deployment>
    let services: NamespacedCache<Service>
    let queue = WorkQueue<RolloutKey>(backoff: Backoff(initial: .milliseconds(50), maximum: .seconds(60)))
    /// Per Rollout, what its last status write produced (status and resourceVersion) and the
    /// resourceVersions that write (and the ones before it) replaced. While the cache still shows
    /// one of those, it has not seen our own write yet: planning from it would redo steps already
    /// taken (re-widen the selector of a release just reverted), so reconcile uses the written
    /// status instead. Only the status is kept: a status write changes nothing else, and a spec
    /// change in between would have made the write a 409.
    let written = Mutex<[RolloutKey: WrittenStatus]>([:])

    /// A status write the cache may not show yet.
    struct WrittenStatus {
        var replaced: Set<String>
        var resourceVersion: String?
        var status: RolloutStatus?
    }

    /// - Parameters:
    ///   - runner: takes the measurements plans ask for; the controller runs it.
    ///   - recorder: writes the plans' Events on the Rollouts.
    ///   - metrics: where reconciles, releases and per-Rollout measurements are counted.
    public init(
        client: KubeClient, configuration: Configuration = Configuration(), runner: AnalysisRunner,
        recorder: EventRecorder, metrics: ControllerMetrics? = nil, logger: Logger = Logger(label: "cutover.controller")
    ) {
        self.client = client
        self.configuration = configuration
        self.runner = runner
        // Gate hooks and notifications read their URLs from Secrets through the controller's client.
        let secrets = KubeSecretReader(client: client)
        webhooks = WebhookClient(logger: logger)
        hooks = HookRunner(client: webhooks, secrets: secrets, metrics: metrics, logger: logger)
        notifier = Notifier(client: webhooks, secrets: secrets, metrics: metrics, logger: logger)
        self.recorder = recorder
        self.metrics = metrics
        self.logger = logger
        rollouts = NamespacedCache(
            client: client, namespaces: configuration.namespaces, transform: CachedForm.rollout, logger: logger)
        deployments = NamespacedCache(
            client: client, namespaces: configuration.namespaces, labelSelector: CutoverLabels.rollout,
            transform: CachedForm.deployment, logger: logger)
        services = NamespacedCache(
            client: client, namespaces: configuration.namespaces, transform: CachedForm.service, logger: logger)
    }

    /// Whether every cache holds its first complete list (what `/readyz` reports).
    public var hasSynced: Bool { rollouts.hasSynced && deployments.hasSynced && services.hasSynced }

    /// Returns once every cache has synced, or when the calling task is cancelled.
    public func waitUntilSynced() async {
        // Polled: a reflector's own wait never returns once it has stopped unsynced, which is
        // what a shutdown before the first list does.
        while !hasSynced, !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Keys waiting in the work queue.
    public var queueDepth: Int { get async { await queue.depth } }

    // MARK: Running

    /// Runs the caches, the analysis runner and the workers until the calling task is cancelled.
    /// On cancellation it stops taking keys, lets the reconciles in flight finish, then stops the
    /// caches and the analysis runner.
    public func run() async {
        // Subscribed before the reflectors start, so the first lists arrive as additions. Each
        // change is turned into keys as it is applied: the streams buffer keys, never objects.
        let rolloutKeys = rollouts.reflectors.map { reflector in
            reflector.changes { change -> [RolloutKey]? in
                self.forgetWrittenOnceSeen(change)
                return Self.nonEmpty(Self.keys(forRolloutChange: change))
            }
        }
        let deploymentKeys = deployments.reflectors.map { $0.changes { Self.nonEmpty(Self.keys(forDeploymentChange: $0)) } }
        let serviceKeys = services.reflectors.map { $0.changes { self.nonEmptyKeys(forServiceChange: $0) } }
        let background = Task {
            await withDiscardingTaskGroup { group in
                for reflector in self.rollouts.reflectors { group.addTask { await reflector.run() } }
                for reflector in self.deployments.reflectors { group.addTask { await reflector.run() } }
                for reflector in self.services.reflectors { group.addTask { await reflector.run() } }
                for stream in rolloutKeys + deploymentKeys + serviceKeys {
                    group.addTask { await self.queue.enqueue(keys: stream) }
                }
                let queue = self.queue
                group.addTask { await self.runner.run { key in _ = Task { await queue.add(key) } } }
                group.addTask { await self.hooks.run { key in _ = Task { await queue.add(key) } } }
                group.addTask { await self.notifier.run { key in _ = Task { await queue.add(key) } } }
            }
        }
        // Not a child of this task: cancelling `run()` must not cancel a reconcile half-way through
        // its actions. Shutting the queue down stops the workers once their keys are done.
        let workers = Task {
            while !self.hasSynced {
                if await self.queue.isShuttingDown { return }
                try? await Task.sleep(for: .milliseconds(50))
            }
            self.logger.info("caches synced; reconciling", metadata: ["workers": "\(self.configuration.workers)"])
            await self.queue.run(workers: self.configuration.workers) { key in try await self.measuredReconcile(key) }
        }
        await withTaskCancellationHandler {
            await workers.value
        } onCancel: {
            let queue = self.queue
            Task { await queue.shutDown() }
        }
        await queue.drain()
        background.cancel()
        await background.value
        await webhooks.shutdown()
        logger.info("controller stopped")
    }

    // MARK: Triggers

    static func nonEmpty(_ keys: [RolloutKey]) -> [RolloutKey]? { keys.isEmpty ? nil : keys }

    func nonEmptyKeys(forServiceChange change: ObjectChange<Service>) -> [RolloutKey]? { Self.nonEmpty(keys(forServiceChange: change)) }

    static func keys(forRolloutChange change: ObjectChange<Rollout>) -> [RolloutKey] {
        change.isSpecOrMetadataChange ? [RolloutKey(change.object)] : []
    }

    static func keys(forDeploymentChange change: ObjectChange<Deployment>) -> [RolloutKey] {
        guard let owner = change.object.metadata.controllerReference, owner.kind == "Rollout" else { return [] }
        return [RolloutKey(namespace: change.object.metadata.namespace ?? "", name: owner.name)]
    }

    /// The Rollouts that name the changed Service in `spec.services`.
    func keys(forServiceChange change: ObjectChange<Service>) -> [RolloutKey] {
        let namespace = change.object.metadata.namespace ?? ""
        guard let name = change.object.metadata.name, let store = rollouts.store(for: namespace) else { return [] }
        return store.list(namespace: namespace).filter { $0.serviceNames.contains(name) }.map { RolloutKey($0) }
    }

    // MARK: Reconcile

    /// Observes, plans and acts for one Rollout; returns when to look again (nil: on the next change).
    /// Throws when an action failed; the queue retries with backoff.
    func reconcile(_ key: RolloutKey) async throws -> Duration? {
        guard let cached = rollouts.get(name: key.name, namespace: key.namespace) else {
            written.withLock { $0[key] = nil }
            await runner.forget(key)
            await hooks.forget(key)
            await notifier.forget(key)
            metrics?.forget(key)
            return nil
        }
        let (rollout, replaced) = newest(cached, key: key)
        let snapshot = await snapshot(of: rollout, key: key)
        let plan = planNextStep(for: snapshot, now: Date())
        var reconcileLogger = logger
        reconcileLogger[metadataKey: "rollout"] = "\(key)"
        do {
            for action in plan.actions {
                try await execute(action, for: rollout, logger: reconcileLogger)
            }
        } catch {
            // The status that would have recorded them is not written: plan with them again.
            await putBack(snapshot, key: key)
            throw error
        }
        let requeue = plan.requeueAfter.map { Duration.milliseconds(Int64(($0 * 1000).rounded(.up))) }
        if plan.status != rollout.status {
            var updated = rollout
            updated.status = plan.status
            do {
                let stored = try await client.replaceStatus(updated, fieldManager: configuration.fieldManager)
                let superseded = replaced.union([rollout.metadata.resourceVersion ?? ""])
                written.withLock {
                    $0[key] = WrittenStatus(replaced: superseded, resourceVersion: stored.metadata.resourceVersion, status: stored.status)
                }
                // The watch may have delivered our write before this response: then nothing is left to bridge.
                if let seen = rollouts.get(name: key.name, namespace: key.namespace)?.metadata.resourceVersion,
                    !superseded.contains(seen)
                {
                    written.withLock { _ = $0.removeValue(forKey: key) }
                }
            } catch let error as KubeError where error.isConflict {
                // The cache was behind the server; plan again from the newer Rollout, with the
                // measurements this status would have recorded.
                reconcileLogger.debug("status write conflicted; looking again")
                await putBack(snapshot, key: key)
                metrics?.reconcileFailed(reason: "Conflict")
                return min(requeue ?? configuration.conflictRequeue, configuration.conflictRequeue)
            } catch let error as KubeError where error.isNotFound {
                return nil
            } catch {
                // Perhaps written, perhaps not: put back; ones already recorded are dropped by
                // the next snapshot.
                await putBack(snapshot, key: key)
                throw error
            }
            statusWritten(from: rollout.status, to: plan, key: key)
            reconcileLogger.debug(
                "status written", metadata: ["phase": "\(plan.status.phase?.rawValue ?? "-")"])
        }
        // Only what a written status holds goes out: a restarted controller finds the same outbox.
        if let pending = plan.status.notifications?.pending, !pending.isEmpty { notifier.submit(pending, for: rollout) }
        return requeue
    }

    /// Drops the remembered status write of a Rollout once its cache shows a version that write
    /// did not replace (ours or newer): without this, a Rollout that goes quiet after its last write
    /// would be held twice, at 10,000 Rollouts a second cache.
    func forgetWrittenOnceSeen(_ change: ObjectChange<Rollout>) {
        let key = RolloutKey(change.object)
        let version = change.object.metadata.resourceVersion ?? ""
        written.withLock { entries in
            guard let entry = entries[key] else { return }
            if case .deleted = change { entries[key] = nil } else if !entry.replaced.contains(version) { entries[key] = nil }
        }
    }

    /// The cached Rollout, or the one our last status write produced if the cache has not caught up
    /// with it; with the versions already replaced by our writes.
    func newest(_ cached: Rollout, key: RolloutKey) -> (Rollout, Set<String>) {
        written.withLock { entries in
            guard let entry = entries[key] else { return (cached, []) }
            if entry.replaced.contains(cached.metadata.resourceVersion ?? "") {
                var rollout = cached
                rollout.metadata.resourceVersion = entry.resourceVersion
                rollout.status = entry.status
                return (rollout, entry.replaced)
            }
            entries[key] = nil  // the cache shows our write or someone else's newer one: trust it
            return (cached, [])
        }
    }

    /// What the planner needs about `rollout`, from the caches and the analysis runner.
    func snapshot(of rollout: Rollout, key: RolloutKey) async -> ReleaseSnapshot {
        let uid = rollout.metadata.uid ?? ""
        let owned = (deployments.store(for: key.namespace)?.owned(by: uid) ?? [])
            .filter { $0.metadata.controllerReference?.uid == uid }
        var named: [String: Service] = [:]
        for name in rollout.serviceNames {
            if let service = services.get(name: name, namespace: key.namespace) { named[name] = service }
        }
        let measurements = Self.unrecorded(await runner.takeMeasurements(for: key), in: rollout.status)
        return ReleaseSnapshot(
            rollout: rollout, deployments: owned, services: named, measurements: measurements,
            hookResults: await hooks.takeResults(for: key), deliveries: await notifier.takeDeliveries(for: key))
    }

    /// Returns what a snapshot took from the runners when the status recording it was not written.
    func putBack(_ snapshot: ReleaseSnapshot, key: RolloutKey) async {
        await runner.putBack(snapshot.measurements, for: key)
        await hooks.putBack(snapshot.hookResults, for: key)
        await notifier.putBack(snapshot.deliveries, for: key)
    }
}
