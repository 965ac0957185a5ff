import Cutover
import KubeAPI
import KubeModels
import KubeRuntime
import Logging

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The Rollout reconciler, run by KubeRuntime's ``Controller``: watches Rollouts, their Deployments
/// and Services, and reconciles each Rollout (observe → ``planNextStep(for:now:)`` → act → write
/// status).
///
/// Promises:
/// - nothing about a release is remembered between reconciles: every decision is made from the
///   caches and the Rollout's own status, so a restarted controller continues where it was;
/// - a Rollout's own status writes do not wake it; its spec, metadata, owned Deployments, named
///   Services, finished background work (measurements, gate hooks, notifications) and the plan's
///   `requeueAfter` do (at the Rollout's own point of that second, ``WakePhase``);
/// - a status write is read back at once (``ObjectCache/assumeWritten(_:over:)``): the next
///   reconcile never plans from the version it replaced, however far the watch trails;
/// - no finished background work (a measurement, a hook outcome, a delivery) is lost to a failed
///   status write (a 409 Conflict included): it is rolled back into its inbox and planned with
///   again, and never recorded twice.
public final class RolloutController: Reconciler {
    /// How the controller reads and writes.
    public struct Configuration: Sendable {
        /// Namespaces to watch; empty watches all of them.
        public var namespaces: [String]
        /// Delay before looking again after a status write lost a race (409 Conflict).
        public var conflictRequeue: Duration
        /// `fieldManager` of every write.
        public var fieldManager: String
        /// Where gate hooks, notifications and promotion sources in other clusters may be called
        /// (the controller's own API server is always denied too). The ``AnalysisRunner`` takes
        /// the same policy for Prometheus.
        public var outboundPolicy: OutboundPolicy
        /// With `--shards N`: the shard these controllers act on; only its Rollouts, Deployments
        /// and Services are cached. Nil: every Rollout (one controller, or the leader of several).
        public var shards: ShardScope?

        public init(
            namespaces: [String] = [], conflictRequeue: Duration = .milliseconds(250), fieldManager: String = "cutover-controller",
            outboundPolicy: OutboundPolicy = OutboundPolicy(), shards: ShardScope? = nil
        ) {
            self.namespaces = namespaces
            self.conflictRequeue = conflictRequeue
            self.fieldManager = fieldManager
            self.outboundPolicy = outboundPolicy
            self.shards = shards
        }
    }

    public let configuration: Configuration
    let runner: AnalysisRunner
    let client: KubeClient
    /// Measurements, gate hooks and notifications, run in the background.
    let effects: ReleaseEffects
    let webhooks: WebhookClient
    let recorder: EventRecorder
    /// What the API server answers (a 500) for an object over etcd's 1.5 MiB (kubernetes/kubernetes#112152);
    /// a body over 3 MiB is a 413.
    static let etcdTooLarge = "etcdserver: request is too large"
    /// Operator metrics; nil records none.
    let metrics: ControllerMetrics?
    let logger: Logger
    let rollouts: ObjectCache<Rollout>
    let deployments: ObjectCache<Deployment>
    let services: ObjectCache<Service>
    /// The ReleaseGroups members read their barriers from (shared with ``ReleaseGroupController``).
    let groups: ObjectCache<ReleaseGroup>
    /// Keeps a group's decisions and its members' reconciles apart (shared with ``ReleaseGroupController``).
    let turns = GroupTurns()
    let specFacts = SpecFactsCache()
    /// Rollouts whose background work finished (a measurement, a hook, a delivery): reconcile them.
    private let finished: AsyncStream<RolloutKey>
    private let finish: AsyncStream<RolloutKey>.Continuation

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
        // Gate hooks and notifications read their URLs from Secrets through the controller's client.
        let secrets = KubeSecretReader(client: client)
        let policy = configuration.outboundPolicy.denyingAPIServer(client.config.server)
        webhooks = WebhookClient(policy: policy, logger: logger)
        effects = ReleaseEffects(
            runner: runner,
            hookRunner: HookRunner(client: webhooks, jobs: JobRunner(client: client), secrets: secrets, metrics: metrics, logger: logger),
            notifier: Notifier(client: webhooks, secrets: secrets, metrics: metrics, logger: logger),
            reader: PromotionReader(client: client, secrets: secrets, policy: policy, logger: logger))
        self.runner = runner
        self.recorder = recorder
        self.metrics = metrics
        self.logger = logger
        rollouts = ObjectCache(
            client: client, namespaces: configuration.namespaces, labelSelector: configuration.shards?.selector,
            transform: CachedForm.rollout, logger: logger)
        deployments = ObjectCache(
            client: client, namespaces: configuration.namespaces,
            labelSelector: [CutoverLabels.rollout, configuration.shards?.selector].compactMap { $0 }.joined(separator: ","),
            transform: CachedForm.deployment, logger: logger)
        services = ObjectCache(
            client: client, namespaces: configuration.namespaces, labelSelector: configuration.shards?.selector,
            transform: CachedForm.service, logger: logger)
        groups = ObjectCache(
            client: client, namespaces: configuration.namespaces, transform: CachedForm.releaseGroup, logger: logger)
        (finished, finish) = AsyncStream.makeStream()
    }

    /// Read once, by the one ``Controller`` that runs this reconciler.
    public var triggers: [Trigger<RolloutKey>] {
        [
            .primary(rollouts),
            .changes(of: rollouts) { [rollouts] change in Self.keys(freedBy: change, rollouts: rollouts) },
            .owned(deployments, byKind: "Rollout"),
            .changes(of: services) { [rollouts] change in Self.keys(forServiceChange: change, rollouts: rollouts) },
            .changes(of: groups) { [rollouts] change in Self.memberKeys(of: change, rollouts: rollouts) },
            .keys(finished),
        ]
    }

    /// Measurements, gate hooks and notifications, until the controller stops.
    public func runBackground() async {
        let wake = finish
        await effects.run { wake.yield($0) }
        await webhooks.shutdown()
        await runner.shutdown()
    }

    /// The Rollouts that name the changed Service in `spec.services`.
    static func keys(forServiceChange change: ObjectChange<Service>, rollouts: ObjectCache<Rollout>) -> [RolloutKey] {
        let namespace = change.object.metadata.namespace ?? ""
        guard let name = change.object.metadata.name else { return [] }
        return rollouts.list(namespace: namespace).filter { $0.serviceNames.contains(name) }.map { RolloutKey($0) }
    }

    /// The Rollouts naming a Service that the changed Rollout stopped naming (deleted, or its
    /// `spec.services` changed): a claim they wait on may be free now. A status write frees nothing
    /// and costs no lookup.
    static func keys(freedBy change: ObjectChange<Rollout>, rollouts: ObjectCache<Rollout>) -> [RolloutKey] {
        guard let old = change.oldObject else { return [] }
        var freed = Set(old.serviceNames)
        if case .modified(_, let new) = change { freed.subtract(new.serviceNames) }
        guard !freed.isEmpty else { return [] }
        let namespace = old.metadata.namespace ?? ""
        return rollouts.list(namespace: namespace)
            .filter { $0.metadata.name != old.metadata.name && !freed.isDisjoint(with: $0.serviceNames) }
            .map { RolloutKey($0) }
    }

    /// The members of the changed ReleaseGroup: its decisions move them on.
    static func memberKeys(of change: ObjectChange<ReleaseGroup>, rollouts: ObjectCache<Rollout>) -> [RolloutKey] {
        let namespace = change.object.metadata.namespace ?? ""
        guard let name = change.object.metadata.name else { return [] }
        return rollouts.members(ofGroup: name, namespace: namespace).map { RolloutKey($0) }
    }

    // MARK: Reconcile

    /// Observes, plans and acts for one Rollout, timed and counted in the metrics.
    public func reconcile(_ key: RolloutKey) async throws -> Duration? {
        let started = ContinuousClock.now
        do {
            let requeue = try await reconcileInShard(key)
            metrics?.reconciled(in: ContinuousClock.now - started, error: nil)
            return requeue
        } catch {
            metrics?.reconciled(in: ContinuousClock.now - started, error: error)
            throw error
        }
    }

    /// Returns when to look again (nil: on the next change). Throws when an action failed; the
    /// queue retries with backoff.
    ///
    /// A member of a ReleaseGroup plans, acts and writes its status in its group's turn
    /// (``GroupTurns``), beside the other members but never while its group decides.
    func reconcileOnce(_ key: RolloutKey) async throws -> Duration? {
        let decided: Rest?
        if let group = rollouts.get(key)?.metadata.labels?[CutoverLabels.group], !group.isEmpty {
            decided = try await turns.run(ObjectKey(namespace: key.namespace, name: group), exclusive: false) { try await decide(key) }
        } else {
            decided = try await decide(key)
        }
        guard let rest = decided else { return nil }
        // The decision is recorded (a member's revert has reached its group): now the scale-downs
        // and the Events. A failure retries; the next plan asks for what is still undone.
        for action in rest.actions { try await execute(action, for: rest.rollout, logger: rest.logger) }
        return rest.requeue()
    }

    /// What is left of a reconcile once its status is written: the actions after it, and when to
    /// look again (taken as the reconcile returns).
    private struct Rest {
        let actions: [ReleaseAction]
        let rollout: Rollout
        let logger: Logger
        let requeue: () -> Duration?
    }

    /// Plans, executes the plan's actions and writes the status: what comes before `afterStatus`.
    /// Returns nil when the Rollout is gone; after a conflict, nothing is left but the requeue.
    private func decide(_ key: RolloutKey) async throws -> Rest? {
        guard let rollout = rollouts.get(key) else {
            await effects.forget(key)
            metrics?.forget(key)
            specFacts.forget(key)
            return nil
        }
        let outside = try await outsideCache(of: rollout, key: key)
        let snapshot = snapshot(of: rollout, key: key, taking: await effects.take(key), outside: outside)
        let planned = Date()
        let plan = planNextStep(for: snapshot, now: planned)
        var reconcileLogger = logger
        reconcileLogger[metadataKey: "rollout"] = "\(key)"
        do {
            for action in plan.actions { try await execute(action, for: rollout, logger: reconcileLogger) }
        } catch {
            // The status that would have recorded them is not written: plan with them again.
            await effects.rollback(key)
            throw error
        }
        // Taken as the reconcile returns (the queue counts from then), so the status write and the
        // actions after it do not push the wake past the Rollout's point of the second.
        // A claimant outside the cache (another replica's) wakes nothing here when it lets go.
        let lookAgain = outside.claimants.isEmpty ? nil : Self.outsideClaimRecheck
        let requeue: () -> Duration? = {
            let planned = plan.requeueAfter.map { WakePhase(key).delay(requeueAfter: $0, plannedAt: planned, now: Date()) }
            return [planned, lookAgain].compactMap { $0 }.min()
        }
        if plan.status != rollout.status {
            var updated = rollout
            updated.status = plan.status
            do {
                let stored = try await client.replaceStatus(updated, fieldManager: configuration.fieldManager)
                rollouts.assumeWritten(stored, over: rollout.metadata.resourceVersion ?? "")
            } catch let error as KubeError where error.isConflict {
                // The cache was behind the server; plan again from the newer Rollout, with the
                // measurements this status would have recorded.
                reconcileLogger.debug("status write conflicted; looking again")
                await effects.rollback(key)
                metrics?.reconcileFailed(reason: "Conflict")
                let again = min(requeue() ?? configuration.conflictRequeue, configuration.conflictRequeue)
                return Rest(actions: [], rollout: rollout, logger: reconcileLogger, requeue: { again })
            } catch let error as KubeError where error.isNotFound {
                await effects.rollback(key)  // the Rollout is gone; its next reconcile forgets them
                return nil
            } catch {
                // Perhaps written, perhaps not: roll back; ones already recorded are dropped by
                // the next snapshot.
                await effects.rollback(key)
                if let status = (error as? KubeError)?.status, status.code == 413 || status.message == Self.etcdTooLarge {
                    // Retrying cannot help, and no status will ever say why: an Event does.
                    await recorder.record(
                        on: rollout, type: .warning, reason: "StatusNotWritten",
                        message: "the Rollout with its status is too large to store (\(status.message ?? "-")); shrink its spec")
                }
                throw error
            }
            statusWritten(plan, key: key)
            reconcileLogger.debug("status written", metadata: ["phase": "\(plan.status.phase?.rawValue ?? "-")"])
        }
        await effects.commit(key)
        // Only what a written status holds goes out: a restarted controller finds the same outbox.
        if let pending = plan.status.notifications?.pending, !pending.isEmpty { effects.send(pending, of: rollout) }
        return Rest(actions: plan.afterStatus, rollout: rollout, logger: reconcileLogger, requeue: requeue)
    }

    /// What the planner needs about `rollout`: the caches, and the outcomes of background work.
    ///
    /// The Services are read before the group and its members: the group writes a cutover before
    /// it patches a Service for it, and a revert's cause is in a member's status before the group
    /// switches for it, so a member that sees the patched Service also sees why (and does not
    /// patch the Service back).
    func snapshot(
        of rollout: Rollout, key: RolloutKey, taking outcomes: ReleaseEffects.Outcomes, outside: OutsideCache = OutsideCache()
    ) -> ReleaseSnapshot {
        let owned = deployments.controlled(by: rollout.metadata.uid ?? "", namespace: key.namespace)
        var named: [String: Service] = [:]
        for name in rollout.serviceNames {
            if let service = services.get(name: name, namespace: key.namespace) ?? outside.services[name] { named[name] = service }
        }
        let group = rollout.metadata.labels?[CutoverLabels.group].flatMap { groups.get(name: $0, namespace: key.namespace) }
        // Read after the group: a revert's cause is in a member's status before the group plans it.
        var groupMembers: [String: Rollout] = [:]
        for member in group?.status?.release?.members ?? [] {
            guard let rollout = rollouts.get(name: member.name, namespace: key.namespace),
                rollout.metadata.labels?[CutoverLabels.group] == group?.metadata.name
            else { continue }
            groupMembers[member.name] = rollout
        }
        // The Services another Rollout claims and still names (only the claimants are looked up).
        var claimedBy: [String: String] = [:]
        for (name, service) in named {
            guard let owner = service.metadata.annotations?[CutoverLabels.managedBy], owner != key.name,
                (rollouts.get(name: owner, namespace: key.namespace) ?? outside.claimants[owner])?.serviceNames.contains(name) == true
            else { continue }
            claimedBy[name] = owner
        }
        return ReleaseSnapshot(
            rollout: rollout, deployments: owned, services: named,
            measurements: outcomes.measurements,
            hookResults: outcomes.hooks, deliveries: outcomes.deliveries, group: group, groupMembers: groupMembers, promotion: outcomes.promotion, claimedBy: claimedBy,
            specFacts: specFacts.facts(of: rollout, key: key))
    }
}
