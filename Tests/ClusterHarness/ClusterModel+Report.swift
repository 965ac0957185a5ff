import Cutover
import Foundation

extension ClusterModel {
    /// What each Rollout, Service and ReleaseGroup went through, with the resourceVersion of each
    /// change, for a human reading why an invariant broke.
    package func timelineReport() -> String {
        var lines: [String] = []
        for (name, statuses) in timeline.statuses.sorted(by: { $0.key < $1.key }) {
            lines.append("rollout \(name):")
            for (status, _, version) in statuses {
                lines.append("  rv \(version) \(RolloutState(status)) weight \(status.weight.map(String.init) ?? "-"): \(status.message ?? "-")")
            }
        }
        for (name, selectors) in timeline.selectors.sorted(by: { $0.key < $1.key }) {
            lines.append("service \(name): " + selectors.map { "rv \($0.resourceVersion) \($0.state)" }.joined(separator: ", "))
        }
        for (name, statuses) in timeline.groupStatuses.sorted(by: { $0.key < $1.key }) {
            lines.append("group \(name):")
            for (status, _, version) in statuses {
                let release = status.release
                let members = release?.members.map { "\($0.name) \($0.blueRevision ?? "-")→\($0.revision)" }.joined(separator: ", ") ?? "-"
                lines.append("  rv \(version) \(status.phase?.rawValue ?? "-") \(release?.outcome?.rawValue ?? "in flight") [\(members)]: \(status.message ?? "-")")
            }
        }
        return lines.joined(separator: "\n")
    }
}
