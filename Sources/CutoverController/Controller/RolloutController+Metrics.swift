import Cutover
import KubeModels
import KubeRuntime

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension RolloutController {
    /// Counts a release that ended with this (successfully written) plan and drops its
    /// per-Rollout series.
    func statusWritten(_ plan: ReleasePlan, key: RolloutKey) {
        guard let metrics, let outcome = plan.outcome else { return }
        metrics.record(outcome)
        metrics.releaseEnded(key, revision: outcome.revision)
    }

    /// What the metrics computed at scrape time count in this controller's caches: Rollouts and
    /// ReleaseGroups per phase (one pass over each, no per-object series) and, with shards, the
    /// Rollouts per shard.
    public struct Census: Sendable {
        public var phases: [String: Int] = [:]
        public var groupPhases: [String: Int] = [:]
        public var rolloutsPerShard: [Int: Int] = [:]

        public init() {}
    }

    public func census() -> Census {
        var census = Census()
        rollouts.forEach { rollout in
            census.phases[rollout.status?.phase?.rawValue ?? ControllerMetrics.unknownPhase, default: 0] += 1
            if let shard = configuration.shards?.labelledShard(of: rollout.metadata) { census.rolloutsPerShard[shard, default: 0] += 1 }
        }
        groups.forEach { group in
            census.groupPhases[group.status?.phase?.rawValue ?? ControllerMetrics.unknownPhase, default: 0] += 1
        }
        return census
    }
}

extension ControllerMetrics {
    /// Sets the metrics computed at scrape time from the controllers running (one, or one per
    /// shard this replica acts on): the queue depth and Rollouts per phase summed over them, the
    /// ReleaseGroups per phase (every one caches every group: counted once), leadership, and with
    /// `shards` the shard series.
    public func update(from controllers: [Controller<RolloutController>], isLeader: Bool, shards: ShardLeases?) async {
        var depth = 0
        var phases: [String: Int] = [:]
        var groupPhases: [String: Int] = [:]
        var perShard: [Int: Int] = [:]
        for (index, controller) in controllers.enumerated() {
            depth += await controller.queueDepth
            let census = controller.reconciler.census()
            phases.merge(census.phases, uniquingKeysWith: +)
            perShard.merge(census.rolloutsPerShard, uniquingKeysWith: +)
            if index == 0 { groupPhases = census.groupPhases }
        }
        update(queueDepth: depth, phases: phases, groupPhases: groupPhases, isLeader: isLeader)
        if let shards { updateShards(count: shards.map.count, active: shards.active, rollouts: perShard) }
    }
}
