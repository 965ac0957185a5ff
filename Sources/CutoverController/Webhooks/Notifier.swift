import Cutover
import Logging

/// Sends the notifications waiting in the Rollouts' outboxes (`status.notifications.pending`) and
/// hands each outcome to the next reconcile, which takes it off the outbox.
///
/// Promises:
/// - per Rollout and target, events go out one at a time in id order (a Slack channel reads
///   `CutOver` before `Completed`); different targets and Rollouts go out concurrently, at most
///   ``Configuration/workers`` at once;
/// - an event is sent once per target while the controller runs, however often reconciles hand
///   it over; after a restart only what the outbox still holds is sent;
/// - attempts end after the target's timeout and are retried 1 s, 2 s, 4 s, 8 s apart on a
///   timeout, a connection error, 408, 429 or 5xx; another 4xx is final;
/// - nothing here ever makes a reconcile wait, and a dead receiver holds up only its own queue.
public actor Notifier {
    public struct Configuration: Sendable {
        /// Deliveries in flight at once.
        public var workers: Int
        /// Attempts per event and target.
        public var attempts: Int
        public init(workers: Int = 8, attempts: Int = 5) {
            self.workers = workers
            self.attempts = attempts
        }
    }

    /// One target of one Rollout; the uid keeps a re-created Rollout (ids from 1 again) apart.
    private struct TargetKey: Hashable {
        var rollout: RolloutKey
        var uid: String
        var target: String
    }

    private struct Item: Sendable {
        var notice: PendingNotification
        var target: NotificationTarget
        var rollout: RolloutKey
        var uid: String
    }

    private struct Submission: Sendable {
        var pending: [PendingNotification]
        var targets: [NotificationTarget]
        var rollout: RolloutKey
        var uid: String
    }

    /// Outcomes remembered per target, to hand over again to a reconcile that read a stale outbox.
    private static let rememberedOutcomes = 32

    public let configuration: Configuration
    private let client: WebhookClient
    private let secrets: any SecretReader
    private let metrics: ControllerMetrics?
    private let logger: Logger
    private let submissions: AsyncStream<Submission>
    private let input: AsyncStream<Submission>.Continuation
    private var queues: [TargetKey: [Item]] = [:]
    private var ready: [TargetKey] = []
    private var busy: Set<TargetKey> = []
    private var waiters: [CheckedContinuation<TargetKey?, Never>] = []
    private var stopped = false
    /// The newest id queued per target: anything at or below it is queued, in flight or done.
    private var newestQueued: [TargetKey: Int64] = [:]
    private var outcomes: [TargetKey: [NotificationDelivery]] = [:]
    private var results = Handover<NotificationDelivery>()

    public init(
        client: WebhookClient, secrets: any SecretReader, configuration: Configuration = Configuration(),
        metrics: ControllerMetrics? = nil, logger: Logger = Logger(label: "cutover.notifications")
    ) {
        self.client = client
        self.secrets = secrets
        self.metrics = metrics
        self.configuration = configuration
        self.logger = logger
        (submissions, input) = AsyncStream.makeStream(of: Submission.self)
    }

    /// Hands over the outbox of `rollout` as its status now holds it; returns at once.
    public nonisolated func submit(_ pending: [PendingNotification], for rollout: Rollout) {
        guard !pending.isEmpty else { return }
        input.yield(
            Submission(
                pending: pending, targets: rollout.spec.notifications ?? [], rollout: RolloutKey(rollout),
                uid: rollout.metadata.uid ?? ""))
    }

    /// Delivers until the calling task is cancelled. `onDelivered` is called with a Rollout's key
    /// once an outcome waits in ``takeDeliveries(for:)``.
    public func run(onDelivered: @escaping @Sendable (RolloutKey) -> Void) async {
        await withDiscardingTaskGroup { group in
            for _ in 0..<max(1, configuration.workers) {
                group.addTask { await self.work(onDelivered) }
            }
            for await submission in submissions { accept(submission, onDelivered) }
            stop()
        }
    }

    /// The outcomes for `rollout` since the last call; pass them in the next ``ReleaseSnapshot``.
    public func takeDeliveries(for rollout: RolloutKey) -> [NotificationDelivery] {
        results.take(for: rollout)
    }

    /// Gives back outcomes whose status write failed.
    public func putBack(_ taken: [NotificationDelivery], for rollout: RolloutKey) {
        results.putBack(taken, for: rollout)
    }

    /// Drops what is kept about a deleted Rollout (events already queued are still sent).
    public func forget(_ rollout: RolloutKey) {
        results.forget(rollout)
        outcomes = outcomes.filter { $0.key.rollout != rollout }
        newestQueued = newestQueued.filter { $0.key.rollout != rollout || queues[$0.key] != nil }
    }

    private func accept(_ submission: Submission, _ onDelivered: @Sendable (RolloutKey) -> Void) {
        var reported = false
        for notice in submission.pending.sorted(by: { $0.id < $1.id }) {
            for name in notice.targets {
                guard let target = submission.targets.first(where: { $0.name == name }) else { continue }
                let key = TargetKey(rollout: submission.rollout, uid: submission.uid, target: name)
                if let newest = newestQueued[key], notice.id <= newest {
                    if let outcome = outcomes[key]?.first(where: { $0.id == notice.id }) {
                        results.append([outcome], for: submission.rollout)
                        reported = true
                    }
                    continue
                }
                newestQueued[key] = notice.id
                queues[key, default: []].append(Item(notice: notice, target: target, rollout: submission.rollout, uid: submission.uid))
                if !busy.contains(key), !ready.contains(key) { makeReady(key) }
            }
        }
        if reported { onDelivered(submission.rollout) }
    }

    private func makeReady(_ key: TargetKey) {
        if waiters.isEmpty {
            ready.append(key)
        } else {
            busy.insert(key)
            waiters.removeFirst().resume(returning: key)
        }
    }

    private func nextReady() async -> TargetKey? {
        if stopped { return nil }
        if !ready.isEmpty {
            let key = ready.removeFirst()
            busy.insert(key)
            return key
        }
        return await withCheckedContinuation { waiters.append($0) }
    }

    private func stop() {
        stopped = true
        for waiter in waiters { waiter.resume(returning: nil) }
        waiters.removeAll()
    }

    private func work(_ onDelivered: @Sendable (RolloutKey) -> Void) async {
        while let key = await nextReady() {
            while let item = queues[key]?.first {
                let delivery = await deliver(item)
                if Task.isCancelled { return }  // unsent: the outbox keeps it for the next controller
                queues[key]?.removeFirst()
                metrics?.webhookFinished(kind: "notification", succeeded: delivery.delivered)
                var kept = outcomes[key, default: []]
                kept.append(delivery)
                if kept.count > Self.rememberedOutcomes { kept.removeFirst(kept.count - Self.rememberedOutcomes) }
                outcomes[key] = kept
                results.append([delivery], for: item.rollout)
                onDelivered(item.rollout)
            }
            queues[key] = nil
            busy.remove(key)
        }
    }

    /// Every attempt of one event to one target.
    private func deliver(_ item: Item) async -> NotificationDelivery {
        let payload = NotificationPayload(item.notice, rollout: item.rollout.name, namespace: item.rollout.namespace, uid: item.uid)
        let body = payload.body(item.target.resolvedFormat)
        var message = ""
        for attempt in 1...max(1, configuration.attempts) {
            var retry = true
            do {
                let url = try await secrets.url(from: item.target.urlSecret, namespace: item.rollout.namespace)
                let response = try await client.post(
                    url, body: body,
                    headers: [("X-Cutover-Event", payload.event.rawValue), ("X-Cutover-Delivery", payload.deliveryID)],
                    timeout: item.target.timeoutSeconds)
                if response.isSuccess { return NotificationDelivery(id: item.notice.id, target: item.target.name, delivered: true) }
                message = response.summary
                retry = response.status >= 500 || response.status == 408 || response.status == 429
            } catch is CancellationError {
                break
            } catch {
                message = String(describing: error)
            }
            if Task.isCancelled { break }
            logger.info(
                "notification attempt failed",
                metadata: ["rollout": "\(item.rollout)", "target": "\(item.target.name)", "id": "\(item.notice.id)", "attempt": "\(attempt)", "answer": "\(message)"])
            guard retry, attempt < configuration.attempts else { break }
            try? await Task.sleep(for: .seconds(GateHook.retryDelaySeconds(afterAttempt: attempt)))
        }
        return NotificationDelivery(id: item.notice.id, target: item.target.name, delivered: false, message: message)
    }
}
