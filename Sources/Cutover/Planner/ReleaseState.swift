import KubeModels

/// Where the Rollout's release stands, as the transitions read it: each case carries the facts
/// that hold in it. Derived from ``RolloutStatus`` on every pass; the status stays the stored
/// form (its `phase` and JSON are the API and do not change).
enum ReleaseState: Equatable {
    /// No release in flight; `active` serves (nil before the first revision).
    case steady(active: String?)
    /// The first revision `green` is coming up: there is no blue to go back to.
    case firstRevision(green: String)
    /// `green` is released beside `blue`, which serves until the cutover.
    case releasing(green: String, blue: String, step: ReleaseStep)

    /// The state `status` describes.
    init(_ status: RolloutStatus) {
        guard let green = status.greenRevision else {
            self = .steady(active: status.activeRevision)
            return
        }
        guard let blue = status.activeRevision else {
            self = .firstRevision(green: green)
            return
        }
        self = .releasing(green: green, blue: blue, step: ReleaseStep(status))
    }
}

/// The step of a release that has a blue.
enum ReleaseStep: Equatable {
    /// Green is created and scaled to its first size; blue has all traffic. (Also where a
    /// release resumes from a phase that has no step of its own.)
    case preparing
    /// Canary step `index` (0-based) of `spec.strategy.canary.steps`.
    case canary(index: Int)
    /// Waiting for a promote action; `afterCutover` when green already serves (the hold window
    /// stopped on inconclusive analysis).
    case awaitingApproval(afterCutover: Bool)
    /// Green scales to full size; the preCutover hook runs; then the active Service switches.
    case promoting
    /// Green serves; blue is held at full size until `until`.
    case holdWindow(until: Timestamp?)

    /// The step `status.phase` (and the fields of that phase) describe.
    init(_ status: RolloutStatus) {
        switch status.phase ?? .progressing {
        case .progressing, .degraded, .healthy, .rolledBack, .invalidSpec, .awaitingPromotion: self = .preparing
        case .canary: self = .canary(index: Int(status.currentStepIndex ?? 0))
        case .awaitingApproval: self = .awaitingApproval(afterCutover: status.cutoverAt != nil)
        case .promoting: self = .promoting
        case .holdWindow: self = .holdWindow(until: status.holdUntil)
        }
    }
}
