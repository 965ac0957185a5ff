#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import KubeAPI
import KubeModels
import Logging
import Synchronization

/// Leader election on a `coordination.k8s.io/v1` Lease, as client-go does it (KUBE-API.md §13).
///
/// Candidates try to acquire the lease every retry period. Whether another holder is still valid
/// is judged by when *this* process last saw the lease record change, on its own monotonic clock,
/// plus the record's `leaseDurationSeconds` — never by comparing `renewTime` with a wall clock
/// that may be skewed. The leader renews every retry period; if it cannot renew within the renew
/// deadline, or sees someone else holding the lease, it stops leading at once.
///
/// Use ``withLeadership(_:)``: it campaigns, runs your work while this process leads, cancels it
/// the moment leadership is lost, and releases the lease when the work ends or is cancelled.
public final class LeaderElector: Sendable {
    /// What happened to leadership, for observers (logs, metrics, readiness).
    public enum LeadershipEvent: Sendable, Hashable {
        /// This process acquired the lease.
        case startedLeading
        /// This process stopped leading (lost the lease, or its work ended and it released it).
        case stoppedLeading
        /// The lease is (now) held by this identity; empty when it was released.
        case observedLeader(String)
        /// Campaigning fails for a new reason (the Lease's namespace does not exist, no RBAC):
        /// this process cannot lead, and cannot be a standby either, until it is fixed.
        case campaignFailed(String)
    }

    /// The outcome of one acquire-or-renew attempt.
    enum Attempt: Sendable, Equatable {
        case acquired
        case heldBy(String)
        case failed(String)
    }

    private struct Shared {
        var observedSpec: LeaseSpec?
        var observedAt: ContinuousClock.Instant?
        var lease: Lease?
        var leading = false
        /// When the last successful acquire or renewal was sent (before its answer came back).
        var renewedAt: ContinuousClock.Instant?
        var observedHolder: String?
        var campaignProblem: String?
    }

    public let configuration: LeaderElectionConfiguration
    let client: KubeClient
    let logger: Logger
    private let shared = Mutex(Shared())
    private let broadcaster = Broadcaster<LeadershipEvent>()
    /// The monotonic clock lease validity is judged on, and retries wait on.
    let time: any TimeSource
    /// The member Leases of sharded replicas of the same set, as last listed (see ``liveShardedReplicas()``).
    let shardedReplicas: Mutex<(view: LeaseSetView, reported: [String])>

    public init(
        client: KubeClient, configuration: LeaderElectionConfiguration, logger: Logger = Logger(label: "cutover.leader"),
        time: any TimeSource = SystemTimeSource()
    ) {
        self.client = client
        self.configuration = configuration
        self.time = time
        shardedReplicas = Mutex((LeaseSetView(name: configuration.leaseName, defaultDuration: .seconds(Int64(configuration.leaseDurationSeconds))), []))
        var logger = logger
        logger[metadataKey: "lease"] = "\(configuration.leaseNamespace)/\(configuration.leaseName)"
        logger[metadataKey: "identity"] = "\(configuration.identity)"
        self.logger = logger
    }

    /// Whether this process holds the lease right now. Turns false the moment a renewal fails past
    /// the deadline, before the leading work has finished cancelling.
    public var isLeader: Bool { shared.withLock { $0.leading } }

    /// Why this process must not write to the cluster now, or nil while it may: it does not lead,
    /// or its last successful renewal was sent longer than the renew deadline ago. The second
    /// catches a leader that was paused (SIGSTOP, a frozen VM, a long GC) past its lease before
    /// its renewal loop has noticed: another replica may lead by now. Give it to the controller's
    /// client as its ``KubeClient/Options/writeFence``; the elector writes its Lease through a
    /// client of its own.
    public func fenceReason() -> String? {
        let now = time.now
        return shared.withLock { shared -> String? in
            guard shared.leading, let renewed = shared.renewedAt else { return "this replica does not hold the leader lease" }
            guard now < renewed + configuration.renewDeadline else {
                return "the leader lease was last renewed \(now - renewed) ago, more than the renew deadline \(configuration.renewDeadline)"
            }
            return nil
        }
    }

    /// The holder this process last saw on the lease (nil before the first look).
    public var observedLeader: String? { shared.withLock { $0.observedHolder } }

    /// Why the last attempt to acquire the lease failed outright (not: held by another); nil once
    /// an attempt reaches the lease.
    public var campaignProblem: String? { shared.withLock { $0.campaignProblem } }

    /// Leadership changes from now on, for as long as the elector lives.
    public func events() -> AsyncStream<LeadershipEvent> { broadcaster.subscribe() }

    /// Campaigns until this process holds the lease, then runs `body` while it does.
    ///
    /// - If the lease is lost, `body`'s task is cancelled at once and this throws
    ///   ``LeaderElectionError/leadershipLost(identity:)`` after `body` returns.
    /// - If `body` returns or throws, or the calling task is cancelled, the lease is released
    ///   (when ``LeaderElectionConfiguration/releaseOnCancel`` is set) and the result or error passed on.
    /// - Cancelled before winning: throws `CancellationError`.
    public func withLeadership<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await acquire()
        setLeading(true)
        logger.info("started leading")
        let outcome: Result<T, any Error> = await {
            do {
                return .success(try await withThrowingTaskGroup(of: Lead<T>.self) { group in
                    group.addTask {
                        try await self.renewUntilLost()
                        return .lost
                    }
                    group.addTask { .finished(try await body()) }
                    let first = try await group.next()!
                    if case .lost = first { self.setLeading(false) }
                    group.cancelAll()
                    switch first {
                    case .lost: throw LeaderElectionError.leadershipLost(identity: self.configuration.identity)
                    case .finished(let value): return value
                    }
                })
            } catch {
                return .failure(error)
            }
        }()
        let wasLost: Bool
        if case .failure(let error) = outcome, error is LeaderElectionError { wasLost = true } else { wasLost = false }
        if isLeader { setLeading(false) }
        if !wasLost, configuration.releaseOnCancel {
            // Run outside the (possibly cancelled) calling task, so the release request is sent.
            await Task { await self.release() }.value
        }
        logger.info(wasLost ? "lost leadership" : "stopped leading")
        return try outcome.get()
    }

    private enum Lead<T: Sendable>: Sendable {
        case lost
        case finished(T)
    }

    // MARK: Campaign and renewal

    /// Tries every retry period (jittered up to 20%) until this process holds the lease.
    private func acquire() async throws {
        while true {
            try Task.checkCancellation()
            let attempt = try await tryAcquireOrRenew()
            noteCampaign(attempt)
            if attempt == .acquired { return }
            let period = configuration.retryPeriod.seconds
            try await time.sleep(for: .seconds(period * (1 + Double.random(in: 0...0.2))))
        }
    }

    /// Renews every retry period; returns when the lease is lost: another holder seen, or no
    /// successful renewal within the renew deadline.
    private func renewUntilLost() async throws {
        var lastRenewal = time.now
        while true {
            let deadline = lastRenewal + configuration.renewDeadline
            let wait = min(configuration.retryPeriod, deadline - time.now)
            if wait > .zero { try await time.sleep(for: wait) }
            let attempt = try await withDeadline(deadline) { try await self.tryAcquireOrRenew() }
            switch attempt {
            case .acquired?:
                lastRenewal = time.now
            case .heldBy(let holder)?:
                logger.warning("the lease is held by \(holder)")
                return
            case .failed(let reason)?:
                logger.warning("renewal failed: \(reason)")
                if time.now >= deadline { return }
            case nil:
                logger.warning("no successful renewal within the renew deadline")
                return
            }
        }
    }

    /// Runs `operation`, giving up (nil) when `deadline` passes first.
    private func withDeadline<T: Sendable>(
        _ deadline: ContinuousClock.Instant, _ operation: @escaping @Sendable () async throws -> T
    ) async throws -> T? {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await operation() }
            group.addTask {
                try await self.time.sleep(until: deadline)
                return nil
            }
            let first = try await group.next()!
            group.cancelAll()
            return first
        }
    }

    /// One look at the lease: create it, take it over, renew it, or report its valid holder.
    /// Throws only `CancellationError`.
    func tryAcquireOrRenew() async throws -> Attempt {
        let sent = time.now
        let identity = configuration.identity
        let now = Date()
        let current: Lease
        do {
            current = try await client.get(Lease.self, name: configuration.leaseName, namespace: configuration.leaseNamespace)
        } catch let error as KubeError where error.isNotFound {
            if let replicas = try await liveShardedReplicas() { return replicas }
            var lease = Lease(
                metadata: ObjectMeta(name: configuration.leaseName, namespace: configuration.leaseNamespace),
                spec: LeaseSpec(
                    holderIdentity: identity, leaseDurationSeconds: configuration.leaseDurationSeconds,
                    acquireTime: .micro(now), renewTime: .micro(now), leaseTransitions: 0))
            do {
                lease = try await client.create(lease)
            } catch {
                try checkCancellation(error)
                return .failed("create: \(error)")
            }
            record(lease, renewedAt: sent)
            return .acquired
        } catch {
            try checkCancellation(error)
            return .failed("get: \(error)")
        }

        let spec = current.spec ?? LeaseSpec()
        let holder = spec.holderIdentity ?? ""
        let seenAt = time.now
        let observedAt: ContinuousClock.Instant = shared.withLock { shared in
            if shared.observedSpec != spec || shared.observedAt == nil {
                shared.observedSpec = spec
                shared.observedAt = seenAt
            }
            shared.lease = current
            return shared.observedAt!
        }
        noteHolder(holder)
        if !holder.isEmpty, holder != identity {
            let duration = Duration.seconds(Int64(spec.leaseDurationSeconds ?? configuration.leaseDurationSeconds))
            if observedAt + duration > time.now { return .heldBy(holder) }
        }
        let ours = holder == identity
        if !ours, let replicas = try await liveShardedReplicas() { return replicas }
        var next = current
        next.spec = LeaseSpec(
            holderIdentity: identity, leaseDurationSeconds: configuration.leaseDurationSeconds,
            acquireTime: Timestamp.micro(ours ? spec.acquireTime?.date ?? now : now),
            renewTime: .micro(now),
            leaseTransitions: ours ? (spec.leaseTransitions ?? 0) : (spec.leaseTransitions ?? 0) + 1)
        do {
            // The resourceVersion we read is the precondition: losing a race gives 409.
            let written = try await client.replace(next)
            record(written, renewedAt: sent)
            return .acquired
        } catch {
            try checkCancellation(error)
            return .failed("update: \(error)")
        }
    }

    /// Hands the lease back: empty holder and a one-second duration, so others take over at once.
    private func release() async {
        guard let lease = shared.withLock({ $0.lease }), lease.spec?.holderIdentity == configuration.identity else { return }
        var released = lease
        released.spec = .released(from: lease.spec)
        do {
            let written = try await client.replace(released)
            record(written)
            logger.info("released the lease")
        } catch {
            logger.warning("could not release the lease: \(error)")
        }
    }

    // MARK: Bookkeeping

    /// Keeps the lease as last read or written; `renewedAt` when this process just acquired or
    /// renewed it with a request sent then.
    private func record(_ lease: Lease, renewedAt: ContinuousClock.Instant? = nil) {
        let now = time.now
        shared.withLock { shared in
            if let renewedAt { shared.renewedAt = renewedAt }
            shared.lease = lease
            shared.observedSpec = lease.spec
            shared.observedAt = now
        }
        noteHolder(lease.spec?.holderIdentity ?? "")
    }

    /// Records why campaigning fails; a new reason is a warning and a ``LeadershipEvent/campaignFailed(_:)``.
    private func noteCampaign(_ attempt: Attempt) {
        let problem: String? = if case .failed(let reason) = attempt { reason } else { nil }
        let changed = shared.withLock { shared in
            defer { shared.campaignProblem = problem }
            return shared.campaignProblem != problem
        }
        guard let problem else { return }
        if changed {
            let lease = "\(configuration.leaseNamespace)/\(configuration.leaseName)"
            logger.warning("cannot acquire the Lease \(lease): \(problem)\(configuration.remedy.map { "; \($0)" } ?? "")")
            broadcaster.yield(.campaignFailed(problem))
        } else {
            logger.debug("cannot acquire the lease: \(problem)")
        }
    }

    private func noteHolder(_ holder: String) {
        let changed = shared.withLock { shared in
            defer { shared.observedHolder = holder }
            return shared.observedHolder != holder
        }
        if changed { broadcaster.yield(.observedLeader(holder)) }
    }

    private func setLeading(_ leading: Bool) {
        let changed = shared.withLock { shared in
            defer { shared.leading = leading }
            return shared.leading != leading
        }
        if changed { broadcaster.yield(leading ? .startedLeading : .stoppedLeading) }
    }

    func checkCancellation(_ error: any Error) throws {
        if error is CancellationError || Task.isCancelled { throw CancellationError() }
    }
}

/// Why leading work ended without finishing.
public enum LeaderElectionError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Another replica holds the lease now, or renewals failed past the renew deadline.
    case leadershipLost(identity: String)

    public var description: String {
        switch self {
        case .leadershipLost(let identity): return "\(identity) lost the leader lease; stopped acting"
        }
    }
}

extension LeaseSpec {
    /// A Lease handed back: no holder and a one-second duration, so others take it at once; the
    /// transitions are kept (the next holder counts one).
    static func released(from spec: LeaseSpec?) -> LeaseSpec {
        let now = Date()
        return LeaseSpec(
            holderIdentity: "", leaseDurationSeconds: 1, acquireTime: .micro(now), renewTime: .micro(now),
            leaseTransitions: spec?.leaseTransitions ?? 0)
    }
}
