import Cutover

/// How a release ended, read from the status before and after one reconcile (the planner keeps
/// no other record of it): counted by ``ControllerMetrics`` once the new status is written.
enum ReleaseOutcome: Sendable, Hashable {
    /// Green became the active revision.
    case promoted(revision: String)
    /// Green was given up; `reason` is the abort reason (`AnalysisBreach`, `AnalysisError`,
    /// `ProgressDeadlineExceeded`, `Aborted`, `GreenDeploymentDeleted`), or `Superseded` /
    /// `TemplateSetBackToBlue` for a revert that is not marked as a rollback.
    case reverted(revision: String, reason: String)

    /// The revision whose release ended.
    var revision: String {
        switch self {
        case .promoted(let revision), .reverted(let revision, _): return revision
        }
    }

    /// The outcome when `old` had a release in flight (not a first deploy) that `new` no longer
    /// has; nil otherwise.
    /// `events` are the plan's events, which tell the unmarked reverts apart.
    static func between(_ old: RolloutStatus?, _ new: RolloutStatus, events: [String]) -> ReleaseOutcome? {
        // A first deploy (no active revision before it) has nothing to promote over or revert to.
        guard let green = old?.greenRevision, old?.activeRevision != nil, new.greenRevision != green else { return nil }
        if new.activeRevision == green { return .promoted(revision: green) }
        if let abort = new.abort, abort != old?.abort, abort.revision == green {
            return .reverted(revision: green, reason: abort.reason)
        }
        if events.contains("Superseded") { return .reverted(revision: green, reason: "Superseded") }
        return .reverted(revision: green, reason: "TemplateSetBackToBlue")
    }
}
