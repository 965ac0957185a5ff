import Cutover
import KubeModels

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension RolloutController {
    /// Counts a release that ended with this (successfully written) status and drops its
    /// per-Rollout series.
    func statusWritten(from old: RolloutStatus?, to plan: ReleasePlan, key: RolloutKey) {
        guard let metrics else { return }
        let events = plan.actions.compactMap { action -> String? in
            if case .recordEvent(let event) = action { return event.reason }
            return nil
        }
        guard let outcome = ReleaseOutcome.between(old, plan.status, events: events) else { return }
        metrics.record(outcome)
        metrics.releaseEnded(key, revision: outcome.revision)
    }

    /// Sets the metrics computed at scrape time: the queue depth (the ``Controller``'s), the
    /// Rollouts per phase from the cache (one pass over it, no per-Rollout series), and leadership.
    public func updateMetrics(queueDepth: Int, isLeader: Bool) {
        guard let metrics else { return }
        var phases: [String: Int] = [:]
        rollouts.forEach { rollout in
            phases[rollout.status?.phase?.rawValue ?? ControllerMetrics.unknownPhase, default: 0] += 1
        }
        metrics.update(queueDepth: queueDepth, phases: phases, isLeader: isLeader)
    }

    /// `measurements` without those `status` already records (same metric, revision and second):
    /// a measurement put back after a status write whose outcome was unknown must not count twice.
    static func unrecorded(_ measurements: [Measurement], in status: RolloutStatus?) -> [Measurement] {
        guard let analysis = status?.analysis, !analysis.isEmpty, !measurements.isEmpty else { return measurements }
        return measurements.filter { measurement in
            let second = measurement.at.timeIntervalSince1970.rounded(.down)
            let history = analysis.first { $0.name == measurement.metric }?.history ?? []
            return !history.contains {
                $0.revision == measurement.revision && $0.at.date.timeIntervalSince1970.rounded(.down) == second
            }
        }
    }
}
