/// How a release ended, as the planner decided it: the answer to "was it promoted or reverted,
/// and why", for metrics and anything else that counts releases.
///
/// Only a release that had a blue to go back to ends this way; a first revision (no active
/// revision when it started) has nothing to promote over or revert to, and has no ending.
public enum ReleaseEnding: Sendable, Hashable {
    /// Green became the active revision.
    case promoted(revision: String)
    /// Green was given up and blue serves again. `reason` is the abort reason (`AnalysisBreach`,
    /// `AnalysisError`, `ProgressDeadlineExceeded`, `Aborted`, `GreenDeploymentDeleted`,
    /// `PreCutoverHookFailed`, `PostCutoverHookFailed`), or `Superseded` / `TemplateSetBackToBlue`
    /// for a revert that does not count as a rollback (no `RolledBack` phase).
    case reverted(revision: String, reason: String)

    /// The revision whose release ended.
    public var revision: String {
        switch self {
        case .promoted(let revision), .reverted(let revision, _): revision
        }
    }
}
