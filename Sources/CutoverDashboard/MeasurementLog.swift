import Cutover
import KubeModels

/// Every measurement of each Rollout's current release the dashboard has seen, per metric: a
/// status keeps only the newest ten (``MetricStatus/historyLimit``), a chart wants the whole
/// release. Starts empty with the dashboard; a new release (another revision) starts its
/// Rollout's log again.
public struct MeasurementLog: Sendable {
    /// The most points kept per metric (an hour of a 15 s interval).
    static let limit = 240

    struct Release: Sendable {
        var revision: String
        var metrics: [String: [MeasurementRecord]] = [:]
    }

    private var releases: [String: Release] = [:]

    public init() {}

    /// Adds what the changed Rollouts of `new` measured; forgets Rollouts that are gone.
    mutating func record(_ new: [String: Rollout], replacing old: [String: Rollout]) {
        for key in old.keys where new[key] == nil { releases[key] = nil }
        for (key, rollout) in new where old[key]?.metadata.resourceVersion != rollout.metadata.resourceVersion || releases[key] == nil {
            record(rollout)
        }
    }

    mutating func record(_ rollout: Rollout) {
        let key = rollout.metadata.key
        guard let status = rollout.status, let revision = status.greenRevision ?? status.rolledBackRevision else {
            releases[key] = nil
            return
        }
        var release = releases[key].flatMap { $0.revision == revision ? $0 : nil } ?? Release(revision: revision)
        for metric in status.analysis ?? [] {
            var points = release.metrics[metric.name] ?? []
            let newest = points.last?.at.date
            for record in metric.history where record.revision == revision && newest.map({ record.at.date > $0 }) ?? true {
                points.append(record)
            }
            if points.count > Self.limit { points.removeFirst(points.count - Self.limit) }
            release.metrics[metric.name] = points
        }
        releases[key] = release
    }

    /// The points of `metric` for the release of `revision` of the Rollout `namespace/name`, oldest first.
    public func points(rollout key: String, revision: String, metric: String) -> [MeasurementRecord] {
        guard let release = releases[key], release.revision == revision else { return [] }
        return release.metrics[metric] ?? []
    }
}
