import DequeModule
import HeapModule

/// A queue of keys to reconcile, in the manner of client-go's workqueue.
///
/// - A key added while it waits is merged with the waiting one (the dirty set).
/// - A key is never handed out twice at once: one added while it is being processed waits until
///   ``done(_:)`` and is then queued again.
/// - ``addRateLimited(_:)`` retries a failing key after a per-key exponential backoff (capped);
///   ``forget(_:)`` resets it.
/// - ``add(_:after:)`` schedules a key for later; of two schedules for one key the earlier wins.
/// - ``shutDown()`` stops handing out keys at once (``next()`` returns nil); keys being processed
///   finish, and ``drain()`` waits for them.
public actor WorkQueue<Key: Hashable & Sendable> {
    /// Keys ready to hand out, in order; each is also in `dirty`.
    private var queue = Deque<Key>()
    /// Keys that need processing: waiting in `queue`, or re-added while processing.
    private var dirty = Set<Key>()
    /// Keys handed out and not yet `done`.
    private var processing = Set<Key>()
    private var waiters: [(id: Int, continuation: CheckedContinuation<Key?, Never>)] = []
    private var nextWaiterID = 0
    private var drainWaiters: [CheckedContinuation<Void, Never>] = []
    private var failures: [Key: Int] = [:]
    private var delayed = Heap<Scheduled>()
    /// The pending deadline of each delayed key; heap entries with another deadline are stale.
    private var deadlines: [Key: ContinuousClock.Instant] = [:]
    private var wakeUp: Task<Void, Never>?
    private var wakeUpDeadline: ContinuousClock.Instant?
    private var shuttingDown = false

    /// Backoff of ``addRateLimited(_:)``; client-go's default is 5 ms doubling to 1000 s.
    public let backoff: Backoff
    /// The clock of delayed keys.
    private let time: any TimeSource

    public init(backoff: Backoff = Backoff(initial: .milliseconds(5), maximum: .seconds(300)), time: any TimeSource = SystemTimeSource()) {
        self.backoff = backoff
        self.time = time
    }

    private struct Scheduled: Comparable {
        var deadline: ContinuousClock.Instant
        var key: Key
        static func < (lhs: Scheduled, rhs: Scheduled) -> Bool { lhs.deadline < rhs.deadline }
        static func == (lhs: Scheduled, rhs: Scheduled) -> Bool { lhs.deadline == rhs.deadline && lhs.key == rhs.key }
    }

    // MARK: Adding

    /// Queues `key` now, unless it is already waiting (merged) or shutting down.
    public func add(_ key: Key) {
        guard !shuttingDown, !dirty.contains(key) else { return }
        dirty.insert(key)
        // Processing: it goes back into the queue at `done`.
        guard !processing.contains(key) else { return }
        if !waiters.isEmpty {
            let waiter = waiters.removeFirst()
            dirty.remove(key)
            processing.insert(key)
            waiter.continuation.resume(returning: key)
        } else {
            queue.append(key)
        }
    }

    /// Queues `key` once `delay` has passed. If the key is already scheduled for an earlier time
    /// this does nothing; a later schedule is replaced by this earlier one.
    public func add(_ key: Key, after delay: Duration) {
        guard !shuttingDown else { return }
        guard delay > .zero else { return add(key) }
        let deadline = time.now + delay
        if let existing = deadlines[key], existing <= deadline { return }
        deadlines[key] = deadline
        delayed.insert(Scheduled(deadline: deadline, key: key))
        armTimer()
    }

    /// Queues `key` after its backoff, which doubles with each call until ``forget(_:)``.
    /// Returns the delay chosen.
    @discardableResult
    public func addRateLimited(_ key: Key) -> Duration {
        let attempt = (failures[key] ?? 0) + 1
        failures[key] = attempt
        let delay = backoff.delay(attempt: attempt)
        add(key, after: delay)
        return delay
    }

    /// Clears `key`'s failure count, so its next backoff starts from the beginning.
    public func forget(_ key: Key) { failures[key] = nil }

    /// How many times `key` failed since it was last forgotten.
    public func failureCount(_ key: Key) -> Int { failures[key] ?? 0 }

    // MARK: Processing

    /// The next key to process, suspending until one is ready; nil once the queue shuts down or
    /// the calling task is cancelled. Call ``done(_:)`` when finished with it.
    public func next() async -> Key? {
        if shuttingDown || Task.isCancelled { return nil }
        if let key = queue.popFirst() {
            dirty.remove(key)
            processing.insert(key)
            return key
        }
        let id = nextWaiterID
        nextWaiterID += 1
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                waiters.append((id, continuation))
            }
        } onCancel: {
            Task { await self.cancelWaiter(id) }
        }
    }

    /// Marks `key` as processed. If it was added meanwhile, it is queued again.
    public func done(_ key: Key) {
        processing.remove(key)
        if dirty.contains(key), !shuttingDown {
            dirty.remove(key)
            add(key)
        }
        if processing.isEmpty {
            for waiter in drainWaiters { waiter.resume() }
            drainWaiters.removeAll()
        }
    }

    /// Stops handing out keys: waiting and later ``next()`` calls return nil, adds are ignored,
    /// delayed keys are dropped. Keys being processed may still call ``done(_:)``.
    public func shutDown() {
        shuttingDown = true
        wakeUp?.cancel()
        wakeUp = nil
        delayed = Heap()
        deadlines.removeAll()
        queue.removeAll()
        dirty.removeAll()
        for waiter in waiters { waiter.continuation.resume(returning: nil) }
        waiters.removeAll()
    }

    /// Shuts down (if not yet) and waits until every key being processed is done.
    public func drain() async {
        shutDown()
        guard !processing.isEmpty else { return }
        await withCheckedContinuation { drainWaiters.append($0) }
    }

    /// Keys waiting to be handed out (not counting delayed ones): the queue-depth metric.
    public var depth: Int { queue.count }

    /// Keys scheduled for later.
    public var delayedCount: Int { deadlines.count }

    /// Keys handed out and not yet done.
    public var processingCount: Int { processing.count }

    public var isShuttingDown: Bool { shuttingDown }

    /// Consumers suspended in ``next()`` waiting for a key.
    public var waitingConsumers: Int { waiters.count }

    // MARK: Private

    private func cancelWaiter(_ id: Int) {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return }
        waiters.remove(at: index).continuation.resume(returning: nil)
    }

    /// Makes sure a wake-up fires at the earliest deadline.
    private func armTimer() {
        guard let earliest = delayed.min?.deadline else { return }
        if let wakeUpDeadline, wakeUpDeadline <= earliest, wakeUp != nil { return }
        wakeUp?.cancel()
        wakeUpDeadline = earliest
        let time = self.time
        wakeUp = Task { [weak self] in
            try? await time.sleep(until: earliest)
            guard !Task.isCancelled else { return }
            await self?.fireDue()
        }
    }

    private func fireDue() {
        wakeUp = nil
        wakeUpDeadline = nil
        let now = time.now
        while let first = delayed.min, first.deadline <= now {
            _ = delayed.removeMin()
            // A stale entry: the key was rescheduled earlier and already fired, or fired since.
            guard deadlines[first.key] == first.deadline else { continue }
            deadlines[first.key] = nil
            add(first.key)
        }
        armTimer()
    }
}
extension WorkQueue {
    /// Runs `count` workers until the queue shuts down (or the calling task is cancelled). Each
    /// takes a key and calls `reconcile`: returning nil forgets the key's failures; returning a
    /// duration forgets them and looks at the key again after it; throwing retries the key with
    /// backoff. One key is never reconciled by two workers at once.
    public nonisolated func run(
        workers count: Int, _ reconcile: @escaping @Sendable (Key) async throws -> Duration?
    ) async {
        await withDiscardingTaskGroup { group in
            for _ in 0..<max(count, 1) {
                group.addTask {
                    while let key = await self.next() {
                        do {
                            let requeue = try await reconcile(key)
                            await self.forget(key)
                            if let requeue { await self.add(key, after: requeue) }
                        } catch {
                            await self.addRateLimited(key)
                        }
                        await self.done(key)
                    }
                }
            }
        }
    }
}
