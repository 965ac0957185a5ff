#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import KubeAPI
import KubeModels
import Logging
import Synchronization

/// Shards owned through Leases, one per shard (`<name>-shard-<i>`), by replicas that announce
/// themselves with a Lease each (`<name>-member-<hash>`): the sharded form of ``LeaderElector``.
///
/// Every retry period a replica lists the set's Leases (one request), renews its own member Lease
/// and the shard Leases it holds, and balances (``ShardBalance``): it hands back shards above its
/// target and takes free ones below it. Validity is judged as the elector judges it: another
/// holder's Lease is valid until its `leaseDurationSeconds` pass without this process seeing the
/// record change, on its own monotonic clock.
///
/// Promises:
/// - a replica acts on a shard (``begin(_:)`` answers true) only while it holds the shard's Lease
///   and its last successful renewal was sent less than the renew deadline ago; the renew
///   deadline is shorter than the lease duration, so it has stopped before anyone may take over;
/// - a shard handed back is first taken out of ``active``; its Lease is released (empty holder)
///   only once the work begun on it has ended (``end(_:)``);
/// - ``release()`` hands back every shard and the member Lease, for a graceful shutdown;
/// - one configuration acts at a time (``ShardBalance/yieldReason(count:leaderHeld:memberCounts:)``):
///   not while a controller without shards holds the leader Lease `<name>`, and of two shard
///   counts only the larger.
public final class ShardLeases: Sendable {
    /// What the replica may act on, for observers (the controller starts and stops its shards' controllers).
    public typealias ActiveShards = Set<Int>

    struct Held {
        var lease: Lease
        /// When the last successful acquire or renewal was sent.
        var renewedAt: ContinuousClock.Instant
    }

    private struct Shared {
        var held: [Int: Held] = [:]
        var releasing: Set<Int> = []
        var inFlight: [Int: Int] = [:]
        var view: LeaseSetView
        var members: Set<String> = []
        /// Why this replica hands back its shards and takes none (another configuration acts), or nil.
        var yielding: String?
        /// Shard counts other than ours whose replicas still hold shards: take none until they are gone.
        var waitingFor: Set<Int> = []
        var published: ActiveShards = []
        /// Why the last round could not read or renew the set (no such namespace, no RBAC), or nil.
        var problem: String?
    }

    /// The shard count and key hashing.
    public let map: ShardMap
    /// Lease names, identity and timings (``LeaderElectionConfiguration/leaseName`` is the prefix).
    public let configuration: LeaderElectionConfiguration
    private let client: KubeClient
    private let time: any TimeSource
    private let logger: Logger
    private let shared: Mutex<Shared>
    private let broadcaster = Broadcaster<ActiveShards>()

    /// The label on every Lease of the set, valued with ``LeaderElectionConfiguration/leaseName``.
    public static let setLabel = "cutover.dev/lease-set"
    /// The label on a member Lease: the replica's shard count (`--shards`).
    public static let countLabel = "cutover.dev/shards"
    /// The label saying what a Lease of the set is for (``Role``).
    public static let roleLabel = "cutover.dev/lease-role"

    /// What a Lease of the set is for: the value of ``roleLabel``.
    public enum Role: String, Sendable {
        /// A replica's own Lease, renewed while it runs and carrying its shard count.
        case member
        /// The Lease of one shard, held by the replica acting on it.
        case shard
    }

    public init(
        client: KubeClient, map: ShardMap, configuration: LeaderElectionConfiguration, logger: Logger = Logger(label: "cutover.shards"),
        time: any TimeSource = SystemTimeSource()
    ) {
        self.client = client
        self.map = map
        self.configuration = configuration
        self.time = time
        shared = Mutex(Shared(view: LeaseSetView(name: configuration.leaseName, defaultDuration: configuration.leaseDuration)))
        var logger = logger
        logger[metadataKey: "identity"] = "\(configuration.identity)"
        self.logger = logger
    }

    func shardLeaseName(_ shard: Int) -> String { "\(configuration.leaseName)-shard-\(shard)" }

    /// The member Lease's name: the identity may hold characters a name may not.
    var memberLeaseName: String {
        "\(configuration.leaseName)-member-\(String(ShardMap.hash(configuration.identity), radix: 16))"
    }

    // MARK: Acting

    /// The shards this replica may act on now.
    public var active: ActiveShards {
        let now = time.now
        return shared.withLock { activeShards($0, now: now) }
    }

    private func activeShards(_ shared: Shared, now: ContinuousClock.Instant) -> ActiveShards {
        Set(shared.held.filter { !shared.releasing.contains($0.key) && now < $0.value.renewedAt + configuration.renewDeadline }.keys)
    }

    /// Changes of ``active`` from now on.
    public func changes() -> AsyncStream<ActiveShards> { broadcaster.subscribe() }

    /// Why this replica cannot take part (its last round could not list the Leases or renew its
    /// member Lease: the namespace does not exist, RBAC), or nil.
    public var campaignProblem: String? { shared.withLock { $0.problem } }

    /// Why this replica hands back its shards and takes none now (a controller without shards,
    /// or replicas with a larger `--shards`, act), or nil.
    public var yielding: String? { shared.withLock { $0.yielding } }

    /// The live replicas this one last saw (itself included).
    public var members: Set<String> { shared.withLock { $0.members } }

    /// Starts work on `shard` if this replica may act on it now; pair a true answer with ``end(_:)``.
    public func begin(_ shard: Int) -> Bool {
        let now = time.now
        return shared.withLock { shared in
            guard let held = shared.held[shard], !shared.releasing.contains(shard), now < held.renewedAt + configuration.renewDeadline
            else { return false }
            shared.inFlight[shard, default: 0] += 1
            return true
        }
    }

    /// Ends work begun with ``begin(_:)``.
    public func end(_ shard: Int) {
        shared.withLock { shared in
            shared.inFlight[shard, default: 1] -= 1
            if shared.inFlight[shard] == 0 { shared.inFlight[shard] = nil }
        }
    }

    /// Why this replica must not write now, or nil: give it to the controller's client as its
    /// ``KubeClient/Options/writeFence``. It holds no shard, or a held shard's last renewal was
    /// sent longer than the renew deadline ago (renewals of all shards fail together: the API
    /// server is unreachable, or the process was paused).
    public func fenceReason() -> String? {
        let now = time.now
        return shared.withLock { shared -> String? in
            guard let oldest = shared.held.values.map(\.renewedAt).min() else { return "this replica holds no shard" }
            guard now < oldest + configuration.renewDeadline else {
                return "a shard lease was last renewed \(now - oldest) ago, more than the renew deadline \(configuration.renewDeadline)"
            }
            return nil
        }
    }

    // MARK: Running

    /// Looks and balances every retry period (jittered up to 20 %) until cancelled. Call
    /// ``release()`` after it returns (and after the work on the shards has stopped).
    public func run() async {
        while !Task.isCancelled {
            await step()
            try? await time.sleep(for: .seconds(configuration.retryPeriod.seconds * (1 + Double.random(in: 0...0.2))))
        }
    }

    /// Hands back every shard and the member Lease, so the others take over at once.
    public func release() async {
        let held = shared.withLock { shared in
            shared.releasing.formUnion(shared.held.keys)
            return shared.held
        }
        publish()
        for (shard, entry) in held.sorted(by: { $0.key < $1.key }) { await hand(back: shard, entry.lease) }
        do {
            try await client.delete(Lease.self, name: memberLeaseName, namespace: configuration.leaseNamespace)
        } catch {
            logger.warning("could not delete the member lease \(memberLeaseName): \(error)")
        }
    }

    /// One round: look, renew, hand back, take.
    func step() async {
        let sent = time.now
        let leases: [Lease]
        do {
            // All of the namespace's: the set's, and the leader Lease of a controller without shards.
            leases = try await client.list(Lease.self, namespace: configuration.leaseNamespace).items.filter {
                $0.metadata.labels?[Self.setLabel] == configuration.leaseName || $0.metadata.name == configuration.leaseName
            }
        } catch {
            shared.withLock { $0.problem = "cannot list the Leases in \(configuration.leaseNamespace): \(error)" }
            logger.warning("cannot list the shard leases: \(error)")
            dropExpired()
            publish()
            return
        }
        let byName = Dictionary(leases.map { ($0.metadata.name ?? "", $0) }, uniquingKeysWith: { a, _ in a })
        observe(leases)
        await renewMember(byName[memberLeaseName])
        await deleteLongDeadMembers()
        let free = freeShards(byName)
        await renewHeld(byName, sent: sent)
        let (held, members, yielding, waitingFor) = shared.withLock {
            (Set($0.held.keys).subtracting($0.releasing), $0.members, $0.yielding, $0.waitingFor)
        }
        var decision = ShardBalance.decide(identity: configuration.identity, members: members, count: map.count, held: held, free: free)
        if yielding != nil { decision = ShardBalance.Decision(release: held.sorted(), acquire: []) }
        if !waitingFor.isEmpty { decision.acquire = [] }
        if !decision.release.isEmpty {
            shared.withLock { $0.releasing.formUnion(decision.release) }
            logger.info("handing back shards \(decision.release.sorted()) (\(members.count) replicas)")
        }
        publish()
        await releaseDrained()
        for shard in decision.acquire { await acquire(shard, byName[shardLeaseName(shard)], sent: sent) }
        publish()
    }

    // MARK: Steps

    /// Notes what changed, who is alive, and whether another configuration acts.
    private func observe(_ leases: [Lease]) {
        let now = time.now
        let (reason, changed) = shared.withLock { shared in
            shared.view.update(leases, now: now)
            let members = shared.view.members(now: now)
            shared.members = Set(members.filter { ($0.value ?? map.count) == map.count }.keys).union([configuration.identity])
            let reason = ShardBalance.yieldReason(
                count: map.count, leaderHeld: shared.view.isValid(configuration.leaseName, now: now),
                memberCounts: Set(members.values.compactMap { $0 }))
            shared.waitingFor = shared.view.otherCountsHoldingShards(than: map.count, now: now)
            defer { shared.yielding = reason }
            return (reason, reason != shared.yielding)
        }
        if changed { logger.notice(reason.map { "not acting: \($0)" } ?? "acting again: no other configuration holds shards") }
    }

    /// The shards whose Lease is missing, released, or expired (ours included).
    private func freeShards(_ byName: [String: Lease]) -> Set<Int> {
        let now = time.now
        return shared.withLock { shared in
            Set((0..<map.count).filter { shard in
                guard byName[shardLeaseName(shard)] != nil, let holder = shared.view.validHolder(shardLeaseName(shard), now: now) else { return true }
                return holder == configuration.identity
            })
        }
    }

    private func renewMember(_ current: Lease?) async {
        let name = memberLeaseName
        do {
            if var lease = current {
                lease.spec = renewed(lease.spec, now: Date())
                record(try await client.replace(lease))
            } else {
                record(try await client.create(newLease(name: name, role: .member)))
            }
            shared.withLock { $0.problem = nil }
        } catch {
            shared.withLock { $0.problem = "cannot renew the member Lease \(name): \(error)" }
            logger.warning("cannot renew the member lease \(name): \(error)")
        }
    }

    /// Deletes the member Leases of replicas gone for five lease durations (a restarted pod comes
    /// back under a new identity, so they would pile up).
    private func deleteLongDeadMembers() async {
        let now = time.now
        let dead = shared.withLock { $0.view.longDeadMembers(except: memberLeaseName, now: now) }
        for name in dead {
            try? await client.delete(Lease.self, name: name, namespace: configuration.leaseNamespace)
            shared.withLock { $0.view.forget(name) }
        }
    }

    /// Renews every held shard; one another holder took, or not renewed within the deadline, is lost.
    private func renewHeld(_ byName: [String: Lease], sent: ContinuousClock.Instant) async {
        let held = shared.withLock { $0.held }
        for (shard, entry) in held.sorted(by: { $0.key < $1.key }) {
            let current = byName[shardLeaseName(shard)]
            if let holder = current?.spec?.holderIdentity, holder != configuration.identity {
                lose(shard, because: holder.isEmpty ? "its lease was released by someone else" : "\(holder) holds its lease")
                continue
            }
            var lease = current ?? entry.lease
            lease.spec = renewed(lease.spec, now: Date())
            do {
                let written = try await client.replace(lease)
                record(written)
                shared.withLock { $0.held[shard] = Held(lease: written, renewedAt: sent) }
            } catch {
                logger.warning("renewing shard \(shard) failed: \(error)")
                if time.now >= entry.renewedAt + configuration.renewDeadline {
                    lose(shard, because: "no successful renewal within the renew deadline")
                }
            }
        }
    }

    /// Writes the release of every handed-back shard nobody works on any more.
    private func releaseDrained() async {
        let drained = shared.withLock { shared in
            shared.releasing.filter { shared.inFlight[$0] == nil }.compactMap { shard in shared.held[shard].map { (shard, $0.lease) } }
        }
        for (shard, lease) in drained.sorted(by: { $0.0 < $1.0 }) { await hand(back: shard, lease) }
    }

    /// Writes an empty holder on the shard's Lease. The Lease held may be a version behind (a
    /// renewal cancelled after the server applied it): on a conflict it is read again, and
    /// released if it is still ours.
    private func hand(back shard: Int, _ lease: Lease) async {
        var lease = lease
        for attempt in 1...2 {
            var released = lease
            released.spec = .released(from: lease.spec)
            do {
                record(try await client.replace(released))
                logger.info("handed back shard \(shard)")
                break
            } catch let error as KubeError where error.isConflict && attempt == 1 {
                guard let current = try? await client.get(Lease.self, name: shardLeaseName(shard), namespace: configuration.leaseNamespace),
                    current.spec?.holderIdentity == configuration.identity
                else { break }
                lease = current
            } catch {
                logger.warning("could not release shard \(shard): \(error)")
                break
            }
        }
        shared.withLock { shared in
            shared.held[shard] = nil
            shared.releasing.remove(shard)
        }
    }

    private func acquire(_ shard: Int, _ current: Lease?, sent: ContinuousClock.Instant) async {
        let now = Date()
        do {
            let written: Lease
            if var lease = current {
                let transitions = lease.spec?.leaseTransitions ?? 0
                lease.spec = LeaseSpec(
                    holderIdentity: configuration.identity, leaseDurationSeconds: configuration.leaseDurationSeconds,
                    acquireTime: .micro(now), renewTime: .micro(now), leaseTransitions: transitions + 1)
                written = try await client.replace(lease)
            } else {
                written = try await client.create(newLease(name: shardLeaseName(shard), role: .shard))
            }
            record(written)
            shared.withLock { $0.held[shard] = Held(lease: written, renewedAt: sent) }
            logger.info("took shard \(shard)")
        } catch {
            // Most often a 409: another replica took it first.
            logger.debug("could not take shard \(shard): \(error)")
        }
    }

    // MARK: Bookkeeping

    private func record(_ lease: Lease) {
        let now = time.now
        shared.withLock { $0.view.record(lease, now: now) }
    }

    private func lose(_ shard: Int, because reason: String) {
        let lost = shared.withLock { shared in
            defer {
                shared.held[shard] = nil
                shared.releasing.remove(shard)
            }
            return shared.held[shard] != nil
        }
        if lost { logger.warning("lost shard \(shard): \(reason)") }
    }

    /// After a failed look: drops held shards not renewed within the renew deadline.
    private func dropExpired() {
        let now = time.now
        let expired = shared.withLock { shared in shared.held.filter { now >= $0.value.renewedAt + configuration.renewDeadline }.keys }
        for shard in expired { lose(shard, because: "no successful renewal within the renew deadline") }
    }

    /// Tells observers when ``active`` changed.
    private func publish() {
        let now = time.now
        let changed: ActiveShards? = shared.withLock { shared in
            let active = activeShards(shared, now: now)
            guard active != shared.published else { return nil }
            shared.published = active
            return active
        }
        if let changed {
            logger.info("acting on shards \(changed.sorted())")
            broadcaster.yield(changed)
        }
    }
}
