import KubeModels

/// What one replica has seen of a shard Lease set: each Lease's record and when, on this process'
/// monotonic clock, it last changed. Validity is judged as ``LeaderElector`` judges it: a holder
/// is valid until its `leaseDurationSeconds` pass without the record changing.
struct LeaseSetView: Sendable {
    struct Observation: Sendable {
        var spec: LeaseSpec?
        var changedAt: ContinuousClock.Instant
        /// A member Lease's shard count (``ShardLeases/countLabel``).
        var count: Int?
    }

    /// The set's name (``LeaderElectionConfiguration/leaseName``): also the leader Lease of a
    /// controller without shards.
    let name: String
    /// The duration assumed for a record without one.
    let defaultDuration: Duration
    private(set) var observed: [String: Observation] = [:]

    init(name: String, defaultDuration: Duration) {
        self.name = name
        self.defaultDuration = defaultDuration
    }

    var memberPrefix: String { "\(name)-member-" }
    var shardPrefix: String { "\(name)-shard-" }

    /// Takes a full list of the set's Leases: what is not in it is gone.
    mutating func update(_ leases: [Lease], now: ContinuousClock.Instant) {
        var seen: [String: Observation] = [:]
        for lease in leases {
            let name = lease.metadata.name ?? ""
            if let old = observed[name], old.spec == lease.spec { seen[name] = old } else { seen[name] = observation(of: lease, now: now) }
        }
        observed = seen
    }

    /// Records one Lease as just read or written.
    mutating func record(_ lease: Lease, now: ContinuousClock.Instant) { observed[lease.metadata.name ?? ""] = observation(of: lease, now: now) }

    mutating func forget(_ name: String) { observed[name] = nil }

    private func observation(of lease: Lease, now: ContinuousClock.Instant) -> Observation {
        Observation(spec: lease.spec, changedAt: now, count: lease.metadata.labels?[ShardLeases.countLabel].flatMap { Int($0) })
    }

    /// Whether the record under `name` names a holder that is still valid.
    func isValid(_ name: String, now: ContinuousClock.Instant) -> Bool { observed[name].map { isValid($0, now: now) } ?? false }

    private func isValid(_ observation: Observation, now: ContinuousClock.Instant) -> Bool {
        guard let holder = observation.spec?.holderIdentity, !holder.isEmpty else { return false }
        let duration = observation.spec?.leaseDurationSeconds.map { Duration.seconds(Int64($0)) } ?? defaultDuration
        return now < observation.changedAt + duration
    }

    /// The holder of a valid record under `name`.
    func validHolder(_ name: String, now: ContinuousClock.Instant) -> String? {
        isValid(name, now: now) ? observed[name]?.spec?.holderIdentity : nil
    }

    /// The live replicas by identity, with the shard count each announces.
    func members(now: ContinuousClock.Instant) -> [String: Int?] {
        var members: [String: Int?] = [:]
        for (name, observation) in observed where name.hasPrefix(memberPrefix) && isValid(observation, now: now) {
            if let holder = observation.spec?.holderIdentity { members[holder] = observation.count }
        }
        return members
    }

    /// The other shard counts whose replicas hold a shard now.
    func otherCountsHoldingShards(than count: Int, now: ContinuousClock.Instant) -> Set<Int> {
        let members = members(now: now)
        var counts: Set<Int> = []
        for (name, observation) in observed where name.hasPrefix(shardPrefix) && isValid(observation, now: now) {
            if let holder = observation.spec?.holderIdentity, let other = members[holder] ?? nil, other != count { counts.insert(other) }
        }
        return counts
    }

    /// Member Leases other than `own` unchanged for five of their durations: replicas long gone.
    func longDeadMembers(except own: String, now: ContinuousClock.Instant) -> [String] {
        observed.filter { name, observation in
            let duration = observation.spec?.leaseDurationSeconds.map { Duration.seconds(Int64($0)) } ?? defaultDuration
            return name.hasPrefix(memberPrefix) && name != own && now >= observation.changedAt + duration * 5
        }.map(\.key)
    }
}
