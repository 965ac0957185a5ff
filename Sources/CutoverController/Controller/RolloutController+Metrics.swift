import Cutover
import KubeModels

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

    /// Sets the metrics computed at scrape time: the queue depth (the ``Controller``'s), the
    /// Rollouts and ReleaseGroups per phase from the caches (one pass over each, no per-object
    /// series), and leadership.
    public func updateMetrics(queueDepth: Int, isLeader: Bool) {
        guard let metrics else { return }
        var phases: [String: Int] = [:]
        rollouts.forEach { rollout in
            phases[rollout.status?.phase?.rawValue ?? ControllerMetrics.unknownPhase, default: 0] += 1
        }
        var groupPhases: [String: Int] = [:]
        groups.forEach { group in
            groupPhases[group.status?.phase?.rawValue ?? ControllerMetrics.unknownPhase, default: 0] += 1
        }
        metrics.update(queueDepth: queueDepth, phases: phases, groupPhases: groupPhases, isLeader: isLeader)
        guard let scope = configuration.shards else { return }
        var perShard: [Int: Int] = [:]
        rollouts.forEach { rollout in
            if let shard = scope.labelledShard(of: rollout.metadata) { perShard[shard, default: 0] += 1 }
        }
        metrics.updateShards(count: scope.map.count, active: scope.leases.active, rollouts: perShard)
    }
}
