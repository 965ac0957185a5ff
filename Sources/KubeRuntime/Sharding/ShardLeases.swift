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
/// - ``release()`` hands back every shard and the member Lease, for a graceful shutdown.
public final class ShardLeases: Sendable {
    /// What the replica may act on, for observers (the controller rebuilds its caches).
    public typealias ActiveShards = Set<Int>

    struct Held {
        var lease: Lease
        /// When the last successful acquire or renewal was sent.
        var renewedAt: ContinuousClock.Instant
    }

    struct Observation {
        var spec: LeaseSpec?
        var changedAt: ContinuousClock.Instant
    }

    private struct Shared {
        var held: [Int: Held] = [:]
        var releasing: Set<Int> = []
        var inFlight: [Int: Int] = [:]
        var observed: [String: Observation] = [:]
        var members: Set<String> = []
        var published: ActiveShards = []
    }

    /// The shard count and key hashing.
    public let map: ShardMap
    /// Lease names, identity and timings (``LeaderElectionConfiguration/leaseName`` is the prefix).
    public let configuration: LeaderElectionConfiguration
    private let client: KubeClient
    private let time: any TimeSource
    private let logger: Logger
    private let shared = Mutex(Shared())
    private let broadcaster = Broadcaster<ActiveShards>()

    /// The label on every Lease of the set, valued with ``LeaderElectionConfiguration/leaseName``.
    public static let setLabel = "cutover.dev/lease-set"

    public init(
        client: KubeClient, map: ShardMap, configuration: LeaderElectionConfiguration, logger: Logger = Logger(label: "cutover.shards"),
        time: any TimeSource = SystemTimeSource()
    ) {
        self.client = client
        self.map = map
        self.configuration = configuration
        self.time = time
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
            leases = try await client.list(
                Lease.self, namespace: configuration.leaseNamespace,
                options: ListOptions(labelSelector: "\(Self.setLabel)=\(configuration.leaseName)")).items
        } catch {
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
        let (held, members) = shared.withLock { (Set($0.held.keys).subtracting($0.releasing), $0.members) }
        let decision = ShardBalance.decide(identity: configuration.identity, members: members, count: map.count, held: held, free: free)
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

    /// Notes when each Lease's record last changed, on this process's clock, and who is alive.
    private func observe(_ leases: [Lease]) {
        let now = time.now
        let memberPrefix = "\(configuration.leaseName)-member-"
        shared.withLock { shared in
            var seen: [String: Observation] = [:]
            for lease in leases {
                let name = lease.metadata.name ?? ""
                if let old = shared.observed[name], old.spec == lease.spec { seen[name] = old } else {
                    seen[name] = Observation(spec: lease.spec, changedAt: now)
                }
            }
            shared.observed = seen
            var members: Set<String> = [configuration.identity]
            for (name, observation) in seen where name.hasPrefix(memberPrefix) && isValid(observation, now: now) {
                if let holder = observation.spec?.holderIdentity { members.insert(holder) }
            }
            shared.members = members
        }
    }

    /// Whether a record names a holder that is still valid: it changed within its duration.
    private func isValid(_ observation: Observation, now: ContinuousClock.Instant) -> Bool {
        guard let holder = observation.spec?.holderIdentity, !holder.isEmpty else { return false }
        let duration = Duration.seconds(Int64(observation.spec?.leaseDurationSeconds ?? configuration.leaseDurationSeconds))
        return now < observation.changedAt + duration
    }

    /// The shards whose Lease is missing, released, or expired (ours included).
    private func freeShards(_ byName: [String: Lease]) -> Set<Int> {
        let now = time.now
        return shared.withLock { shared in
            Set((0..<map.count).filter { shard in
                guard let observation = shared.observed[shardLeaseName(shard)], byName[shardLeaseName(shard)] != nil else { return true }
                return !isValid(observation, now: now) || observation.spec?.holderIdentity == configuration.identity
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
                record(try await client.create(newLease(name: name, role: "member")))
            }
        } catch {
            logger.warning("cannot renew the member lease \(name): \(error)")
        }
    }

    /// Deletes the member Leases of replicas gone for five lease durations (a restarted pod comes
    /// back under a new identity, so they would pile up).
    private func deleteLongDeadMembers() async {
        let now = time.now
        let memberPrefix = "\(configuration.leaseName)-member-"
        let dead = shared.withLock { shared in
            shared.observed.filter { name, observation in
                let duration = Duration.seconds(Int64(observation.spec?.leaseDurationSeconds ?? configuration.leaseDurationSeconds))
                return name.hasPrefix(memberPrefix) && name != memberLeaseName && now >= observation.changedAt + duration * 5
            }.keys
        }
        for name in dead {
            try? await client.delete(Lease.self, name: name, namespace: configuration.leaseNamespace)
            shared.withLock { _ = $0.observed.removeValue(forKey: name) }
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
            let now = Date()
            released.spec = LeaseSpec(
                holderIdentity: "", leaseDurationSeconds: 1, acquireTime: .micro(now), renewTime: .micro(now),
                leaseTransitions: lease.spec?.leaseTransitions ?? 0)
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
                written = try await client.create(newLease(name: shardLeaseName(shard), role: "shard"))
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

    private func newLease(name: String, role: String) -> Lease {
        let now = Date()
        return Lease(
            metadata: ObjectMeta(
                name: name, namespace: configuration.leaseNamespace,
                labels: [Self.setLabel: configuration.leaseName, "cutover.dev/lease-role": role]),
            spec: LeaseSpec(
                holderIdentity: configuration.identity, leaseDurationSeconds: configuration.leaseDurationSeconds,
                acquireTime: .micro(now), renewTime: .micro(now), leaseTransitions: 0))
    }

    private func renewed(_ spec: LeaseSpec?, now: Date) -> LeaseSpec {
        var spec = spec ?? LeaseSpec()
        spec.holderIdentity = configuration.identity
        spec.leaseDurationSeconds = configuration.leaseDurationSeconds
        spec.renewTime = .micro(now)
        if spec.acquireTime == nil { spec.acquireTime = .micro(now) }
        return spec
    }

    private func record(_ lease: Lease) {
        let now = time.now
        shared.withLock { $0.observed[lease.metadata.name ?? ""] = Observation(spec: lease.spec, changedAt: now) }
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
