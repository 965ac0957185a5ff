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

/// The ReleaseGroup reconciler: plans a group from its members' statuses (``planGroup(for:now:)``),
/// writes the decision to the group's status, then switches the active Services the decision
/// needs, in parallel. Members read the decision from the same cache (see
/// ``RolloutController/snapshot(of:key:taking:)``) and carry out the rest.
///
/// Shares the Rollout and ReleaseGroup caches of the ``RolloutController`` it is made with: run
/// both in one ``ControllerManager``.
public final class ReleaseGroupController: Reconciler {
    let client: KubeClient
    let fieldManager: String
    let groups: ObjectCache<ReleaseGroup>
    let rollouts: ObjectCache<Rollout>
    let services: ObjectCache<Service>
    let turns: GroupTurns
    let shards: ShardScope?
    let recorder: EventRecorder
    let metrics: ControllerMetrics?
    let logger: Logger
    let notifications: EffectPipeline<NotificationWork>
    /// Groups whose notification deliveries finished: reconcile them.
    private let finished: AsyncStream<ObjectKey>
    private let finish: AsyncStream<ObjectKey>.Continuation

    public init(sharing rollouts: RolloutController, logger: Logger = Logger(label: "cutover.groups")) {
        client = rollouts.client
        fieldManager = rollouts.configuration.fieldManager
        groups = rollouts.groups
        self.rollouts = rollouts.rollouts
        services = rollouts.services
        turns = rollouts.turns
        shards = rollouts.configuration.shards
        recorder = rollouts.recorder
        metrics = rollouts.metrics
        self.logger = logger
        notifications = NotificationWork.pipeline(
            Notifier(client: rollouts.webhooks, secrets: KubeSecretReader(client: rollouts.client), metrics: rollouts.metrics, logger: logger))
        (finished, finish) = AsyncStream.makeStream()
    }

    public var triggers: [Trigger<ObjectKey>] {
        [
            .primary(groups), .changes(of: rollouts) { Self.groupKeys(of: $0) },
            .changes(of: services) { [rollouts] change in Self.groupKeys(claiming: change, rollouts: rollouts) }, .keys(finished),
        ]
    }

    public func runBackground() async {
        let wake = finish
        await notifications.run { wake.yield($0) }
    }

    /// The groups a member's change concerns: the one it names, and the one it named before.
    static func groupKeys(of change: ObjectChange<Rollout>) -> [ObjectKey] {
        let namespace = change.object.metadata.namespace ?? ""
        let names = Set([change.object, change.oldObject].compactMap { $0?.metadata.labels?[CutoverLabels.group] })
        return names.sorted().map { ObjectKey(namespace: namespace, name: $0) }
    }

    /// The group of the member that just claimed the changed Service: a member's Service created
    /// again mid-release is the group's to switch once the member's claim lands, whether or not
    /// the member's status changes then. Other Service changes wake no group.
    static func groupKeys(claiming change: ObjectChange<Service>, rollouts: ObjectCache<Rollout>) -> [ObjectKey] {
        let namespace = change.object.metadata.namespace ?? ""
        guard case let claimant? = change.object.metadata.annotations?[CutoverLabels.managedBy],
            change.oldObject?.metadata.annotations?[CutoverLabels.managedBy] != claimant,
            let group = rollouts.get(name: claimant, namespace: namespace)?.metadata.labels?[CutoverLabels.group], !group.isEmpty
        else { return [] }
        return [ObjectKey(namespace: namespace, name: group)]
    }

    /// Decides in the group's turn (``GroupTurns``: no member of it plans meanwhile in this
    /// controller), then records the Events and sends the notifications.
    /// With shards: only while this replica acts on the group's shard (its members are in it too).
    public func reconcile(_ key: ObjectKey) async throws -> Duration? {
        guard let scope = shards else { return try await reconcileOnce(key) }
        return try await scope.acting(on: scope.shard(ofGroup: key)) { try await reconcileOnce(key) } ?? nil
    }

    private func reconcileOnce(_ key: ObjectKey) async throws -> Duration? {
        switch try await turns.run(key, exclusive: true, { try await decide(key) }) {
        case .gone:
            return nil
        case .again(let delay):
            return delay
        case .decided(let group, let plan):
            if let event = plan.event {
                await recorder.record(on: group, type: event.type == "Warning" ? .warning : .normal, reason: event.reason, message: event.message)
            }
            if let pending = plan.status.notifications?.pending, !pending.isEmpty {
                notifications.submit(
                    NotificationWork.outbox(pending, targets: group.spec.notifications ?? [], from: .releaseGroup(key), uid: group.metadata.uid ?? ""))
            }
            return plan.requeueAfter.map { Duration.milliseconds(Int64(($0 * 1000).rounded(.up))) }
        }
    }

    private enum Decision {
        case gone
        case again(Duration)
        case decided(ReleaseGroup, GroupPlan)
    }

    /// Plans, writes the decision to the group's status, and switches the Services it needs: a
    /// revert's switches go out before its record, since every member reads the cause from the
    /// members until the record lands (``GroupRelease/revertCause(members:abortRequested:)``); any
    /// other switch (a wave's cutover) only once its record is written.
    private func decide(_ key: ObjectKey) async throws -> Decision {
        guard let group = groups.get(key) else {
            await notifications.forget(key)
            return .gone
        }
        let members = rollouts.members(ofGroup: key.name, namespace: key.namespace)
        var named: [String: Service] = [:]
        for member in members {
            let name = member.spec.services.active
            if let service = services.get(name: name, namespace: key.namespace) { named[name] = service }
        }
        let snapshot = GroupSnapshot(group: group, members: members, services: named, deliveries: await notifications.take(key))
        let plan = planGroup(for: snapshot, now: Date())
        let recorded: Bool
        if case .reverted? = plan.outcome {
            // The switches first (the status write would slow them down in the API server), then
            // the record, whether or not every switch went through: the next plan sends the rest.
            var failed: (any Error)?
            do { try await patchSelectors(plan.patches, namespace: key.namespace) } catch { failed = error }
            recorded = try await record(plan, over: group)
            if let failed { throw failed }
        } else {
            recorded = try await record(plan, over: group)
            if recorded { try await patchSelectors(plan.patches, namespace: key.namespace) }
        }
        return recorded ? .decided(group, plan) : .again(.milliseconds(250))
    }

    /// Writes the plan's status (if it changed) and commits its notifications; false after a
    /// conflict (the cache was behind: plan again).
    private func record(_ plan: GroupPlan, over group: ReleaseGroup) async throws -> Bool {
        let key = ObjectKey(group)
        if plan.status != group.status {
            var updated = group
            updated.status = plan.status
            do {
                let stored = try await client.replaceStatus(updated, fieldManager: fieldManager)
                groups.assumeWritten(stored, over: group.metadata.resourceVersion ?? "")
                if let outcome = plan.outcome { metrics?.recordGroup(outcome) }
            } catch let error as KubeError where error.isConflict {
                await notifications.rollback(key)
                return false
            } catch {
                await notifications.rollback(key)
                throw error
            }
        }
        await notifications.commit(key)
        return true
    }

    /// Sends every selector patch at once; throws the first failure after all were tried (the
    /// plan sends the ones still needed again).
    func patchSelectors(_ patches: [ServiceSelectorPatch], namespace: String) async throws {
        guard !patches.isEmpty else { return }
        let client = self.client, fieldManager = self.fieldManager, logger = self.logger, services = self.services
        let failures = await withTaskGroup(of: (any Error)?.self) { group in
            for patch in patches {
                group.addTask {
                    do {
                        // Read back into the cache at once: its member sees the switch (and
                        // follows) without waiting for the watch.
                        try await services.patch(patch.service, namespace: namespace, with: patch.mergePatch, through: client, fieldManager: fieldManager)
                        logger.info("patched Service selector", metadata: ["service": "\(patch.service)", "revision": "\(patch.revision ?? "(removed)")"])
                        return nil
                    } catch {
                        return error
                    }
                }
            }
            var failures: [any Error] = []
            for await failure in group { if let failure { failures.append(failure) } }
            return failures
        }
        if let first = failures.first { throw first }
    }
}

extension ObjectCache where Object == Rollout {
    /// The Rollouts of `namespace` labelled `cutover.dev/group: <group>`: a ReleaseGroup's members.
    func members(ofGroup group: String, namespace: String) -> [Rollout] {
        list(namespace: namespace).filter { $0.metadata.labels?[CutoverLabels.group] == group }
    }
}
