import KubeAPI
import KubeModels

extension LeaderElector {
    /// Before taking the leader Lease: whether sharded replicas of the same Lease set
    /// (`--shards` > 1, ``ShardLeases``) are alive. They act on their shards without the leader
    /// Lease, so a controller without shards started beside them (the plain install applied over the
    /// sharded one) must wait until they are gone: stopped (their member Leases deleted) or expired
    /// for their full duration on this process' clock. They, in turn, hand their shards back while
    /// a controller without shards holds the leader Lease, so of two started at once the one
    /// holding the leader Lease acts.
    ///
    /// `.heldBy` naming them while they live; `.failed` when their Leases cannot be listed (this
    /// replica does not lead on a guess); nil when none is alive.
    func liveShardedReplicas() async throws -> Attempt? {
        let leases: [Lease]
        do {
            let selector = "\(ShardLeases.setLabel)=\(configuration.leaseName),\(ShardLeases.roleLabel)=\(ShardLeases.Role.member.rawValue)"
            leases = try await client.list(Lease.self, namespace: configuration.leaseNamespace, options: ListOptions(labelSelector: selector)).items
        } catch {
            try checkCancellation(error)
            return .failed("list the Leases of sharded replicas (label \(ShardLeases.setLabel)=\(configuration.leaseName)): \(error)")
        }
        let now = time.now
        let (members, changed) = shardedReplicas.withLock { state in
            state.view.update(leases, now: now)
            let members = state.view.members(now: now).keys.sorted()
            defer { state.reported = members }
            return (members, members != state.reported)
        }
        if changed {
            logger.notice(
                members.isEmpty
                    ? "no sharded replica runs any more"
                    : "not taking the leader Lease while sharded replicas run: \(members.joined(separator: ", "))")
        }
        guard !members.isEmpty else { return nil }
        return .heldBy("sharded replicas \(members.joined(separator: ", ")) (--shards)")
    }
}
