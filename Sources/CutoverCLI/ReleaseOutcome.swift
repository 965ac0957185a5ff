import Cutover
import KubeModels

/// Where a release ended, as `kubectl cutover status` reports it to a pipeline through its exit code.
public enum ReleaseOutcome: Sendable, Hashable {
    /// The template is the active revision and nothing is in flight (a group: condition
    /// `Completed`): exit 0.
    case healthy
    /// The release was reverted (`RolledBack`), the spec is invalid (`InvalidSpec`) or the first
    /// revision missed its deadline (`Degraded`), or a promotion source rolled the version back: exit 1.
    case failed
    /// The release waits for `kubectl cutover promote`: exit 2, so a pipeline can stop at the gate.
    case awaitingApproval
    /// Still in flight when the time given ran out (or at once without `--watch`): exit 3.
    case timedOut

    /// The process exit code of this outcome (documented in `status --help`).
    public var exitCode: Int32 {
        switch self {
        case .healthy: return 0
        case .failed: return 1
        case .awaitingApproval: return 2
        case .timedOut: return 3
        }
    }

    /// The outcome a Rollout has reached, or `nil` while its release is in flight. A status the
    /// controller computed for an older generation is not an outcome yet: right after
    /// `kubectl apply` the previous release's `Healthy` is still there.
    public static func of(_ rollout: Rollout) -> ReleaseOutcome? {
        guard let status = rollout.status, let phase = status.phase, ControllerLag.isCurrent(rollout) else { return nil }
        switch phase {
        case .healthy: return .healthy
        case .rolledBack, .invalidSpec, .degraded: return .failed
        case .awaitingApproval: return .awaitingApproval
        // A source rolled this version back: it will not pass the gate unless overridden.
        case .awaitingPromotion: return status.promotion?.reason == "RolledBack" ? .failed : nil
        case .progressing, .canary, .promoting, .holdWindow: return nil
        }
    }

    /// The outcome a ReleaseGroup has reached, or `nil` while a group release is in flight: exit 0
    /// when condition `Completed` is True, 1 when `RolledBack` (phase, or condition without
    /// `Completed`) or `InvalidSpec`, 2 at `AwaitingApproval` until the cutover is approved. Only a status computed
    /// for the group's current generation counts, and `Completed` or `RolledBack` only once every
    /// member settled (see ``ObservedGroup/unsettledMembers``): right after `kubectl apply` of new
    /// member templates the previous group release's `Completed` is still there.
    public static func of(_ snapshot: ObservedGroup) -> ReleaseOutcome? {
        let group = snapshot.group
        guard let status = group.status, let phase = status.phase, ControllerLag.isCurrent(group) else { return nil }
        func holds(_ condition: String) -> Bool { status.conditions?.contains { $0.type == condition && $0.status == "True" } == true }
        switch phase {
        case .invalidSpec:
            return .failed
        case .awaitingApproval:
            return status.release?.approved == true ? nil : .awaitingApproval
        case .progressing, .canary, .cuttingOver, .holdWindow:
            return nil
        case .healthy, .rolledBack:
            guard snapshot.unsettledMembers.isEmpty else { return nil }
            if phase == .rolledBack { return .failed }
            if holds("Completed") { return .healthy }
            return holds("RolledBack") ? .failed : nil
        }
    }
}
