import Cutover
import KubeModels

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Whether the controller has acted on a Rollout's latest spec, and for how long it has not: the
/// basis of the "is the controller running?" warning.
public enum RolloutLag {
    /// Whether `status.observedGeneration` has caught up with `metadata.generation`.
    public static func isCurrent(_ rollout: Rollout) -> Bool {
        guard let status = rollout.status, status.phase != nil else { return false }
        return (status.observedGeneration ?? 0) >= (rollout.metadata.generation ?? 0)
    }

    /// When the spec the controller has not acted on was written: the newest spec write in
    /// `managedFields` (not a status write), else the creation time. `nil` when the controller is current.
    public static func unobservedSince(_ rollout: Rollout) -> Date? {
        guard !isCurrent(rollout) else { return nil }
        let specWrites = (rollout.metadata.managedFields ?? []).filter { ($0.subresource ?? "").isEmpty }.compactMap { $0.time?.date }
        return specWrites.max() ?? rollout.metadata.creationTimestamp?.date
    }

    /// A warning when no controller has acted on `rollout` for at least `threshold` seconds at
    /// `now`; `nil` otherwise. Names what is behind and what to check.
    public static func warning(for rollout: Rollout, now: Date, threshold: Double) -> String? {
        guard let since = unobservedSince(rollout) else { return nil }
        let waited = now.timeIntervalSince(since)
        guard waited >= threshold else { return nil }
        let name = rollout.metadata.name ?? "-"
        let what: String
        if let status = rollout.status, status.phase != nil {
            what = "status.observedGeneration \(status.observedGeneration ?? 0) < metadata.generation \(rollout.metadata.generation ?? 0)"
        } else {
            what = "it has no status"
        }
        return "Warning: no controller has acted on rollout \(name) for \(Age.format(seconds: waited)) (\(what)): "
            + "is cutover-controller running? Check its pods and logs (and that it watches namespace \(rollout.metadata.namespace ?? "-"))"
    }
}
