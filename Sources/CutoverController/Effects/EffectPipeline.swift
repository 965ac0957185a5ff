import KubeRuntime

/// One piece of background work a reconcile asks for: a measurement, a gate hook call, a
/// notification delivery.
protocol Effect: Sendable {
    associatedtype ID: Hashable & Sendable
    associatedtype Lane: Hashable & Sendable
    associatedtype Outcome: Sendable

    /// Equal ids are the same work: submitted again while it waits or runs, it is dropped;
    /// after it finished, the outcome (while retained) is handed over again instead of a second run.
    var id: ID { get }
    /// Work of one lane runs one at a time, in the order it was submitted.
    var lane: Lane { get }
    /// The object whose reconcile takes the outcome.
    var owner: ObjectKey { get }
}

/// Runs background work for reconciles and keeps the outcomes for the next reconcile of their
/// owner: submitted from a reconcile (never waiting), run on a ``WorkQueue`` of lanes by a fixed
/// number of workers, deduplicated by id, outcomes in an ``Inbox`` (take, commit or roll back,
/// forget). The owner's key is woken when an outcome waits.
actor EffectPipeline<Work: Effect> {
    /// How one kind of work runs.
    struct Policy: Sendable {
        /// Lanes worked on at once.
        var workers: Int
        /// Finished outcomes remembered per owner, to hand over again when the same work is asked for.
        var retainedPerOwner = 0
        /// Outcomes waiting per owner; beyond it the oldest are dropped.
        var inboxLimit: Int?
        /// Which outcomes are failures. A lane whose last work failed (a receiver that hangs or
        /// refuses) holds at most ``failingWorkers`` workers at once until its work succeeds
        /// again, so such lanes never take every worker from the healthy ones.
        var failed: (@Sendable (Work.Outcome) -> Bool)?
        var failingWorkers = 2
    }

    private let policy: Policy
    private let perform: @Sendable (Work) async -> Work.Outcome?
    private let queue = WorkQueue<Work.Lane>()
    private let submissions: AsyncStream<[Work]>
    private let input: AsyncStream<[Work]>.Continuation
    /// Work waiting or running, per lane in submission order (the first may be running).
    private var lanes: [Work.Lane: [Work]] = [:]
    /// The ids of the work waiting or running (internal for tests).
    private(set) var known: Set<Work.ID> = []
    private var retained: [ObjectKey: [(id: Work.ID, outcome: Work.Outcome)]] = [:]
    /// Lanes whose last work failed, and how many of them are being worked on now.
    private var failing: Set<Work.Lane> = []
    private var failingAtWork = 0
    /// Outcomes waiting for their owners' reconciles (internal for tests).
    var inbox: Inbox<Work.Outcome>

    /// - Parameter perform: does one piece of work; nil when it was cut short (shutdown): no outcome.
    init(_ policy: Policy, perform: @escaping @Sendable (Work) async -> Work.Outcome?) {
        self.policy = policy
        self.perform = perform
        inbox = Inbox(limit: policy.inboxLimit)
        (submissions, input) = AsyncStream.makeStream()
    }

    /// Queues `work` for ``run(wake:)``; returns at once.
    nonisolated func submit(_ work: [Work]) {
        guard !work.isEmpty else { return }
        input.yield(work)
    }

    /// Works until the calling task is cancelled (work in flight is cancelled and yields no
    /// outcome). `wake` is called with an owner's key once an outcome waits for it.
    func run(wake: @escaping @Sendable (ObjectKey) -> Void) async {
        let queue = self.queue
        await withDiscardingTaskGroup { group in
            group.addTask {
                await queue.run(workers: self.policy.workers) { lane in
                    await self.runFirst(of: lane, wake: wake)
                    return nil
                }
            }
            for await work in submissions { await accept(work, wake: wake) }
            await queue.shutDown()
        }
    }

    /// The outcomes waiting for `key`, held until ``commit(_:)`` or ``rollback(_:)``.
    func take(_ key: ObjectKey) -> [Work.Outcome] { inbox.take(key) }

    /// The status recording the taken outcomes is written.
    func commit(_ key: ObjectKey) { inbox.commit(key) }

    /// The status recording the taken outcomes was not written: the next take hands them out again.
    func rollback(_ key: ObjectKey) { inbox.rollback(key) }

    /// Drops what is kept for a deleted owner (work already queued still runs).
    func forget(_ key: ObjectKey) {
        inbox.forget(key)
        retained[key] = nil
    }

    private func accept(_ batch: [Work], wake: @Sendable (ObjectKey) -> Void) async {
        var replayed: Set<ObjectKey> = []
        for work in batch where !known.contains(work.id) {
            if let earlier = retained[work.owner]?.last(where: { $0.id == work.id }) {
                inbox.append([earlier.outcome], for: work.owner)
                replayed.insert(work.owner)
                continue
            }
            known.insert(work.id)
            lanes[work.lane, default: []].append(work)
            await queue.add(work.lane)
        }
        for owner in replayed { wake(owner) }
    }

    /// Runs the lane's oldest work; when more waits in the lane, the lane goes back to the end of
    /// the queue. Lanes take turns, so a lane whose receiver hangs holds one worker for one piece
    /// of work at a time, never a worker for good; and failing lanes share ``Policy/failingWorkers``
    /// between them: fifty Rollouts whose shared webhook is down do not hold up every other
    /// Rollout's notifications.
    private func runFirst(of lane: Work.Lane, wake: @Sendable (ObjectKey) -> Void) async {
        guard let work = lanes[lane]?.first else { return }
        let wasFailing = failing.contains(lane)
        if wasFailing {
            // Its turn comes again in a second, unless a worker for failing lanes is free now.
            guard failingAtWork < policy.failingWorkers else { return await queue.add(lane, after: .seconds(1)) }
            failingAtWork += 1
        }
        let outcome = await perform(work)
        if wasFailing { failingAtWork -= 1 }
        if Task.isCancelled { return }  // shutting down: no outcome, nothing more
        if let failed = policy.failed, let outcome {
            if failed(outcome) { failing.insert(lane) } else { failing.remove(lane) }
        }
        lanes[lane]?.removeFirst()
        if lanes[lane]?.isEmpty == true {
            lanes[lane] = nil
            failing.remove(lane)
        } else {
            await queue.add(lane)
        }
        known.remove(work.id)
        guard let outcome else { return }
        if policy.retainedPerOwner > 0 {
            var kept = retained[work.owner, default: []]
            kept.append((work.id, outcome))
            if kept.count > policy.retainedPerOwner { kept.removeFirst(kept.count - policy.retainedPerOwner) }
            retained[work.owner] = kept
        }
        inbox.append([outcome], for: work.owner)
        wake(work.owner)
    }
}
