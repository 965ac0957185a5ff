import Cutover
import KubeRuntime

/// The Rollout reconciler's background work: Prometheus measurements, gate hook calls,
/// notification deliveries and promotion checks, each an ``EffectPipeline`` with its perform function. A reconcile
/// takes what finished (``take(_:)``), plans and acts with it, then commits it once the status
/// recording it is written, or rolls it back.
final class ReleaseEffects: Sendable {
    /// What a reconcile takes: the outcomes that finished since the last one.
    struct Outcomes: Sendable {
        var measurements: [Measurement] = []
        var hooks: [HookResult] = []
        var deliveries: [NotificationDelivery] = []
        /// The newest promotion check that finished.
        var promotion: PromotionEvidence?
    }

    /// Measurements kept per Rollout until taken; older ones are dropped beyond this.
    static let pendingMeasurements = 64

    let measurements: EffectPipeline<MeasurementWork>
    let hooks: EffectPipeline<HookWork>
    let notifications: EffectPipeline<NotificationWork>
    let promotions: EffectPipeline<PromotionWork>
    private let reader: PromotionReader

    init(runner: AnalysisRunner, hookRunner: HookRunner, notifier: Notifier, reader: PromotionReader) {
        // Measurements and hooks wait on other services (a Prometheus that may hang for its
        // timeout, a smoke test that runs for minutes): enough workers that one Rollout's slow
        // service does not hold up the others. Deliveries are cheap and rate-limited by receivers.
        measurements = EffectPipeline(.init(workers: 256, inboxLimit: Self.pendingMeasurements)) { work in
            let taken = await runner.measure([work.query], for: work.rollout)
            return taken.first
        }
        hooks = EffectPipeline(.init(workers: 64, retainedPerOwner: 8)) { work in
            await hookRunner.call(work.call, namespace: work.owner.namespace)
        }
        notifications = NotificationWork.pipeline(notifier)
        // A check reads a few objects, perhaps from a cluster that is down (a short timeout).
        promotions = EffectPipeline(.init(workers: 16)) { work in
            await reader.read(work.check, namespace: work.owner.namespace)
        }
        self.reader = reader
    }

    /// Runs every pipeline until the calling task is cancelled.
    func run(wake: @escaping @Sendable (RolloutKey) -> Void) async {
        await withDiscardingTaskGroup { group in
            group.addTask { await self.measurements.run(wake: wake) }
            group.addTask { await self.hooks.run(wake: wake) }
            group.addTask { await self.notifications.run(wake: wake) }
            group.addTask { await self.promotions.run(wake: wake) }
        }
        await reader.shutdown()
    }

    /// Measures `queries` of `rollout` in the background; a metric still being measured is skipped.
    func measure(_ queries: [MetricQuery], of rollout: Rollout) {
        measurements.submit(queries.map { MeasurementWork(query: $0, rollout: rollout) })
    }

    /// Calls a gate hook in the background, once per hook and revision.
    func callHook(_ call: HookCall, for key: RolloutKey) {
        hooks.submit([HookWork(call: call, owner: key)])
    }

    /// Reads the promotion sources of `check` in the background.
    func checkPromotion(_ check: PromotionCheck, for key: RolloutKey) {
        promotions.submit([PromotionWork(check: check, owner: key)])
    }

    /// Sends the outbox of `rollout` as its written status holds it, oldest first per target.
    func send(_ pending: [PendingNotification], of rollout: Rollout) {
        notifications.submit(
            NotificationWork.outbox(
                pending, targets: rollout.spec.notifications ?? [], from: .rollout(RolloutKey(rollout)), uid: rollout.metadata.uid ?? ""))
    }

    /// Everything finished for `key` since the last take; commit or roll back after the status write.
    func take(_ key: RolloutKey) async -> Outcomes {
        Outcomes(
            measurements: await measurements.take(key), hooks: await hooks.take(key), deliveries: await notifications.take(key),
            promotion: await promotions.take(key).last)
    }

    /// The status recording the taken outcomes is written.
    func commit(_ key: RolloutKey) async {
        await measurements.commit(key)
        await hooks.commit(key)
        await notifications.commit(key)
        await promotions.commit(key)
    }

    /// The taken outcomes were not recorded: the next take hands them out again, before newer ones.
    func rollback(_ key: RolloutKey) async {
        await measurements.rollback(key)
        await hooks.rollback(key)
        await notifications.rollback(key)
        await promotions.rollback(key)
    }

    /// Drops what is kept about a deleted Rollout.
    func forget(_ key: RolloutKey) async {
        await measurements.forget(key)
        await hooks.forget(key)
        await notifications.forget(key)
        await promotions.forget(key)
    }
}

/// One measurement of one metric of a Rollout; one per metric and Rollout at a time.
struct MeasurementWork: Effect {
    typealias Outcome = Measurement

    struct ID: Hashable, Sendable {
        var owner: RolloutKey
        var metric: String
    }

    var query: MetricQuery
    var rollout: Rollout
    var owner: RolloutKey { RolloutKey(rollout) }
    var id: ID { ID(owner: owner, metric: query.metric) }
    var lane: ID { id }
}

/// One reading of a Rollout's promotion sources; one per Rollout at a time.
struct PromotionWork: Effect {
    typealias Outcome = PromotionEvidence

    var check: PromotionCheck
    var owner: RolloutKey
    var id: RolloutKey { owner }
    var lane: RolloutKey { owner }
}

/// One gate hook call: once per hook, revision and Rollout.
struct HookWork: Effect {
    typealias Outcome = HookResult

    struct ID: Hashable, Sendable {
        var owner: RolloutKey
        var name: HookName
        var revision: String
    }

    var call: HookCall
    var owner: RolloutKey
    var id: ID { ID(owner: owner, name: call.name, revision: call.payload.revision) }
    var lane: ID { id }
}

/// One event to one target; a target of a Rollout (or ReleaseGroup) reads its events one at a time
/// in id order. The uid keeps a re-created object (ids from 1 again) apart.
struct NotificationWork: Effect {
    typealias Outcome = NotificationDelivery

    /// Whose outbox the event is from.
    enum Sender: Hashable, Sendable {
        case rollout(ObjectKey)
        case releaseGroup(ObjectKey)

        var key: ObjectKey {
            switch self {
            case .rollout(let key), .releaseGroup(let key): key
            }
        }
    }

    struct Lane: Hashable, Sendable {
        var owner: RolloutKey
        var uid: String
        var target: String
    }

    struct ID: Hashable, Sendable {
        var lane: Lane
        var notice: Int64
    }

    var notice: PendingNotification
    var target: NotificationTarget
    var sender: Sender
    var uid: String
    var owner: ObjectKey { sender.key }
    var lane: Lane { Lane(owner: owner, uid: uid, target: target.name) }
    var id: ID { ID(lane: lane, notice: notice.id) }

    /// The notifications' pipeline: deliveries are cheap and rate-limited by receivers.
    static func pipeline(_ notifier: Notifier) -> EffectPipeline<NotificationWork> {
        EffectPipeline(.init(workers: 8, retainedPerOwner: 128, failed: { !$0.delivered })) { work in
            await notifier.deliver(work.notice, to: work.target, from: work.sender, uid: work.uid)
        }
    }

    /// The work of sending an outbox as a written status holds it, oldest first per target.
    static func outbox(_ pending: [PendingNotification], targets: [NotificationTarget], from sender: Sender, uid: String) -> [NotificationWork] {
        var work: [NotificationWork] = []
        for notice in pending.sorted(by: { $0.id < $1.id }) {
            for name in notice.targets {
                guard let target = targets.first(where: { $0.name == name }) else { continue }
                work.append(NotificationWork(notice: notice, target: target, sender: sender, uid: uid))
            }
        }
        return work
    }
}
