import Cutover
import KubeModels

/// The actions the plugin can ask of the controller, each through the annotation the controller
/// acts on (docs/rollout-reference.md, "Actions by annotation").
public enum RolloutAction: String, Sendable, CaseIterable {
    /// `cutover.dev/promote`: skip the remaining steps and the approval.
    case promote
    /// `cutover.dev/promote-full`: promote and switch analysis off; in HoldWindow, end it now.
    case promoteFull = "promote-full"
    /// `cutover.dev/abort`: revert the release in flight.
    case abort
    /// `cutover.dev/retry`: release a rolled-back template again.
    case retry
    /// `cutover.dev/paused: "true"`.
    case pause
    /// Removes `cutover.dev/paused`.
    case resume

    /// Decides whether the action makes sense for `rollout` now and what it will do. `token` is the
    /// fresh value for the edge-triggered annotations (acted on once per new value). Throws
    /// ``CLIError/refused(_:)`` with the reason and the alternative when it makes no sense.
    public func plan(for rollout: Rollout, token: String) throws -> ActionPlan {
        let name = rollout.metadata.name ?? "-"
        guard let status = rollout.status, let phase = status.phase else {
            throw CLIError.refused("rollout \(name) has no status yet: no controller has acted on it (is cutover-controller running?)")
        }
        let spec = rollout.spec.resolved()
        let green = status.greenRevision ?? "-"
        let blue = status.activeRevision ?? "-"
        let paused = rollout.metadata.annotations?[CutoverLabels.paused] == "true"
        func refuse(_ why: String) -> CLIError { .refused("cannot \(rawValue) rollout \(name): \(why)") }
        let hold = spec.holdWindowSeconds > 0 ? "then holds blue for \(DurationText.format(spec.holdWindowSeconds))" : "then scales blue to 0"

        switch self {
        case .promote, .promoteFull:
            let full = self == .promoteFull
            let key = full ? CutoverLabels.promoteFull : CutoverLabels.promote
            func skipRemainingSteps() throws -> ActionPlan {
                guard status.activeRevision != nil else {
                    throw refuse("\(green) is the first revision: it serves as soon as it is ready, there are no steps to skip")
                }
                let analysis = full
                    ? "Analysis is switched off for the rest of this release."
                    : "Analysis keeps running: a breach still reverts\(spec.holdWindowSeconds > 0 && !spec.metrics.isEmpty ? ", and the hold window still needs passing measurements" : "")."
                return ActionPlan(annotation: key, value: token, next: "green \(green) skips the remaining canary steps and approval: it scales to \(spec.replicas) replicas (Promoting), the active Service switches to it once all are ready, \(hold). \(analysis)")
            }
            switch phase {
            case .progressing, .canary:
                return try skipRemainingSteps()
            case .awaitingApproval where status.cutoverAt == nil:
                return try skipRemainingSteps()
            case .awaitingApproval:
                return ActionPlan(annotation: key, value: token, next: full
                    ? "the hold window ends now: \(green) becomes the active revision and blue \(blue) scales to 0 (analysis off)."
                    : "the hold window resumes (\(status.approvalReason ?? "approval")): blue \(blue) scales to 0 at \(status.holdUntil?.description ?? "its end") once every metric has passed.")
            case .holdWindow:
                guard full else { throw refuse("green \(green) already serves all traffic (HoldWindow); use --full to end the hold window now, or abort to revert") }
                return ActionPlan(annotation: key, value: token, next: "the hold window ends now: \(green) becomes the active revision and blue \(blue) scales to 0; analysis stops.")
            case .promoting:
                throw refuse("green \(green) is already being promoted (Promoting)\(full ? "; run promote --full once it is in HoldWindow to end the hold window" : "")")
            case .healthy:
                throw refuse("no release in flight (Healthy, serving \(blue)); change the template to start one")
            case .awaitingPromotion:
                throw refuse("the template waits at the promotion gate (\(status.promotion?.message ?? "sources not read yet")); promote it in its source environment first, or set \(CutoverLabels.promoteUnverified) to release it unverified")
            case .rolledBack:
                throw refuse("the last release was rolled back; use `kubectl cutover retry \(name)` to release it again")
            case .invalidSpec, .degraded:
                throw refuse("the rollout is \(phase.rawValue): \(status.message ?? "-")")
            }
        case .abort:
            guard status.greenRevision != nil, [.progressing, .canary, .awaitingApproval, .promoting, .holdWindow].contains(phase) else {
                throw refuse("no release in flight (\(phase.rawValue))")
            }
            guard status.activeRevision != nil else { throw refuse("\(green) is the first revision: there is no blue to go back to") }
            return ActionPlan(annotation: CutoverLabels.abort, value: token, next: "the active Service goes back to blue \(blue) in one patch, green \(green) scales to 0 and the phase becomes RolledBack (reason Aborted). \(green) is not released again until the template changes or `kubectl cutover retry \(name)`.")
        case .retry:
            guard let revision = status.rolledBackRevision, phase == .rolledBack || phase == .degraded else {
                throw refuse("nothing was rolled back (\(phase.rawValue)); retry releases a RolledBack template again")
            }
            return ActionPlan(annotation: CutoverLabels.retry, value: token, next: "\(revision) is released again from blue \(blue): Progressing, then its canary steps with analysis.")
        case .pause:
            guard !paused else { throw refuse("it is already paused; resume with `kubectl cutover resume \(name)`") }
            let what = [.healthy, .rolledBack].contains(phase) ? "no new release starts until resumed" : "the release stays where it is (\(phase.rawValue)): no next step, no cutover, no end of the hold window, and the progress deadline is disarmed"
            return ActionPlan(annotation: CutoverLabels.paused, value: "true", next: "\(what). Reverts (abort, breach) still happen and analysis keeps running.")
        case .resume:
            guard paused else { throw refuse("it is not paused") }
            return ActionPlan(annotation: CutoverLabels.paused, value: nil, next: "the release continues from \(phase.rawValue); time paused counted toward the current step's pause.")
        }
    }
}
