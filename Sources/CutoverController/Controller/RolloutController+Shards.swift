import Cutover
import KubeAPI
import KubeModels
import KubeRuntime

/// With `--shards N`: the shard gate, moving a Rollout to another shard, and the objects a plan
/// needs that a shard's caches do not hold.
extension RolloutController {
    /// How often a Rollout whose Service a Rollout outside the cache claims looks again: that
    /// Rollout letting go wakes nothing here.
    static let outsideClaimRecheck = Duration.seconds(30)

    /// With shards: reconciles only while this replica acts on the Rollout's shard, and moves a
    /// Rollout whose shard changed (it joined or left a ReleaseGroup) to its new one.
    func reconcileInShard(_ key: RolloutKey) async throws -> Duration? {
        guard let scope = configuration.shards, let rollout = rollouts.get(key) else { return try await reconcileOnce(key) }
        // In the cache, so labelled with the shard these controllers were built for (their
        // watches select by it); the gate below answers nil once this replica stops acting on it.
        guard let shard = scope.labelledShard(of: rollout.metadata) else { return nil }
        return try await scope.acting(on: shard) {
            let target = scope.shard(of: rollout.metadata)
            guard target == shard else {
                try await move(rollout, to: scope.map.label(target))
                return nil
            }
            return try await reconcileOnce(key)
        } ?? nil
    }

    /// Relabels the Rollout's Deployments and the Services it claims, then the Rollout, with
    /// `label`: the replica acting on that shard sees them before the Rollout that uses them.
    private func move(_ rollout: Rollout, to label: String) async throws {
        let namespace = rollout.metadata.namespace ?? ""
        let name = rollout.metadata.name ?? ""
        for deployment in deployments.controlled(by: rollout.metadata.uid ?? "", namespace: namespace) {
            try await client.labelShard(Deployment.self, deployment.metadata.name ?? "", namespace: namespace, label, fieldManager: configuration.fieldManager)
        }
        for service in rollout.serviceNames
        where services.get(name: service, namespace: namespace)?.metadata.annotations?[CutoverLabels.managedBy] == name {
            try await client.labelShard(Service.self, service, namespace: namespace, label, fieldManager: configuration.fieldManager)
        }
        try await client.labelShard(Rollout.self, name, namespace: namespace, label, fieldManager: configuration.fieldManager)
        logger.info("moved to shard \(label)", metadata: ["rollout": "\(RolloutKey(rollout))"])
    }

    /// What a plan reads that the caches do not hold, read from the API.
    struct OutsideCache: Sendable {
        /// With shards: the Rollout's Services not labelled with its shard yet.
        var services: [String: Service] = [:]
        /// Rollouts claiming the Rollout's Services (gone ones left out): just created, or with
        /// shards another replica's. A claim by a Rollout that exists is never taken.
        var claimants: [String: Rollout] = [:]
    }

    /// Reads the Rollout's Services missing from a shard's cache and the claimants missing from
    /// the Rollout cache. A Service read this way that is free or claimed by this Rollout is
    /// labelled with its shard, so the cache holds it from then on (a Service another Rollout
    /// claims stays in that Rollout's shard).
    func outsideCache(of rollout: Rollout, key: RolloutKey) async throws -> OutsideCache {
        var found = OutsideCache()
        let shardLabel = configuration.shards.flatMap { _ in rollout.metadata.labels?[CutoverLabels.shard] }
        for name in rollout.serviceNames {
            var service = services.get(name: name, namespace: key.namespace)
            if service == nil, shardLabel != nil {
                service = try await client.getIfExists(Service.self, name, namespace: key.namespace)
                found.services[name] = service
            }
            guard let service else { continue }
            let owner = service.metadata.annotations?[CutoverLabels.managedBy]
            if let owner, owner != key.name, rollouts.get(name: owner, namespace: key.namespace) == nil, found.claimants[owner] == nil {
                found.claimants[owner] = try await client.getIfExists(Rollout.self, owner, namespace: key.namespace)
            }
            guard let shardLabel, found.services[name] != nil else { continue }
            let claimedElsewhere = owner.map { $0 != key.name && found.claimants[$0]?.serviceNames.contains(name) == true } ?? false
            if !claimedElsewhere {
                found.services[name] = try await client.labelShard(
                    Service.self, name, namespace: key.namespace, shardLabel, fieldManager: configuration.fieldManager)
            }
        }
        return found
    }
}
