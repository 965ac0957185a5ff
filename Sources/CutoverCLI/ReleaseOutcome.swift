import Cutover
import KubeModels

/// Where a release ended, as `kubectl cutover status` reports it to a pipeline through its exit code.
public enum ReleaseOutcome: Sendable, Hashable {
    /// The template is the active revision and nothing is in flight: exit 0.
    case healthy
    /// The release was reverted (`RolledBack`), the spec is invalid (`InvalidSpec`) or the first
    /// revision missed its deadline (`Degraded`): exit 1.
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
        case .progressing, .canary, .promoting, .holdWindow: return nil
        }
    }
}
