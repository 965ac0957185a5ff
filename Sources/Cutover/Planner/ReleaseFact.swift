import KubeModels

/// One thing that happened to a release, stated once by the transition that made it happen.
/// Everything said about it is derived from it: the Kubernetes Event, the entry in the release
/// record's timeline (which the outbox also sends to the notification targets), the closing of
/// the record, and how the release ended (``ReleaseEnding``). See ``PlanBuilder/record(_:)``.
enum ReleaseFact: Hashable {
    /// A release of `revision` started; `blue` serves meanwhile (nil for a first revision);
    /// `rollback`: to a recently released revision, within `spec.rollbackWindow`.
    case started(revision: String, blue: String?, rollback: Bool)
    /// Canary step `step` (1-based) of `steps` sends `weight` percent of traffic to `revision`.
    case stepReached(revision: String, step: Int32, steps: Int, weight: Int32)
    /// The release waits for a promote action, for `reason`.
    case awaitingApproval(reason: String)
    /// A gate hook answered 2xx with `message`.
    case hookPassed(HookName, message: String)
    /// The active Service selects `revision`; blue is held for `holdSeconds`.
    case cutOver(revision: String, holdSeconds: Int64)
    /// The first revision of a Rollout is ready and serves.
    case firstRevisionServing(revision: String)
    /// `revision` became the active revision; `manualPromotion` as in ``RolloutStatus/manualPromotion``.
    case promoted(revision: String, manualPromotion: String?)
    /// A newer template (`by`) replaced `revision` before it finished; `firstRevision` when there
    /// was no blue (the messages differ, as they always have).
    case superseded(revision: String, by: String, firstRevision: Bool)
    /// `revision` was reverted to blue for `abort` (revision and time filled in). `counted`: it
    /// counts as a rollback (phase `RolledBack`, a Warning); otherwise the template was set back
    /// to blue.
    case reverted(revision: String, abort: AbortStatus, counted: Bool)

    /// The Kubernetes Event that tells it.
    var kubernetesEvent: RolloutEvent {
        switch self {
        case .started(let revision, let blue, let rollback):
            RolloutEvent(reason: rollback ? "RollbackStarted" : "ReleaseStarted", message: Self.startMessage(revision, blue: blue, rollback: rollback))
        case .stepReached:
            RolloutEvent(reason: "StepStarted", message: timelineMessage)
        case .awaitingApproval:
            RolloutEvent(reason: "AwaitingApproval", message: timelineMessage)
        case .hookPassed:
            RolloutEvent(reason: "HookPassed", message: timelineMessage)
        case .cutOver:
            RolloutEvent(reason: "CutOver", message: timelineMessage)
        case .firstRevisionServing:
            RolloutEvent(reason: "Available", message: timelineMessage)
        case .promoted:
            RolloutEvent(reason: "Promoted", message: timelineMessage)
        case .superseded(let revision, let newer, _):
            RolloutEvent(reason: "Superseded", message: "a new template \(newer) supersedes \(revision)")
        case .reverted(_, let abort, let counted):
            counted
                ? RolloutEvent(type: "Warning", reason: "RolledBack", message: timelineMessage)
                : RolloutEvent(reason: "RolledBack", message: abort.message ?? abort.reason)
        }
    }

    /// Whether the Kubernetes Event is recorded before the timeline entry. The start and a revert
    /// write the record first; the order only shows when the outbox overflows (its
    /// `NotificationDropped` Event lands between), and is kept as it always was.
    var kubernetesEventFirst: Bool {
        switch self {
        case .started, .reverted: false
        default: true
        }
    }

    /// The timeline entry's type.
    var timelineType: ReleaseEventType {
        switch self {
        case .started: .started
        case .stepReached: .stepReached
        case .awaitingApproval: .awaitingApproval
        case .hookPassed: .hookPassed
        case .cutOver: .cutOver
        case .firstRevisionServing, .promoted: .completed
        case .superseded: .superseded
        case .reverted: .rolledBack
        }
    }

    /// The timeline entry's (and the notification's) one line.
    var timelineMessage: String {
        switch self {
        case .started(let revision, let blue, let rollback):
            Self.startMessage(revision, blue: blue, rollback: rollback)
        case .stepReached(let revision, let step, let steps, let weight):
            "step \(step)/\(steps): \(weight)% of traffic to \(revision)"
        case .awaitingApproval(let reason):
            "waiting for cutover.dev/promote: \(reason)"
        case .hookPassed(let name, let message):
            "\(name.rawValue) hook passed: \(message)"
        case .cutOver(let revision, let holdSeconds):
            "active Service now selects \(revision); holding blue for \(DurationText.format(holdSeconds))"
        case .firstRevisionServing(let revision):
            "first revision \(revision) is ready and serving"
        case .promoted(let revision, _):
            "\(revision) is the active revision"
        case .superseded(let revision, let newer, let firstRevision):
            firstRevision ? "a new template \(newer) supersedes \(revision)" : "superseded by \(newer)"
        case .reverted(let revision, let abort, _):
            "\(revision) rolled back: \(abort.message ?? abort.reason)"
        }
    }

    /// The timeline entry at `now`.
    func timelineEntry(at now: Timestamp) -> ReleaseEvent {
        var entry = ReleaseEvent(at: now, type: timelineType, message: timelineMessage)
        switch self {
        case .stepReached(_, let step, _, let weight):
            entry.step = step
            entry.weight = weight
        case .awaitingApproval(let reason):
            entry.reason = reason
        case .hookPassed(let name, _):
            entry.reason = name.rawValue
        case .cutOver:
            entry.weight = 100
        case .superseded:
            entry.reason = "Superseded"
        case .reverted(_, let abort, _):
            entry.reason = abort.reason
            entry.metric = abort.metric
            entry.value = abort.value
            entry.limit = abort.limit
        case .started, .firstRevisionServing, .promoted:
            break
        }
        return entry
    }

    /// How the fact closes the release record, if it ends the release.
    var closing: (outcome: ReleaseRecord.Outcome, reason: String?, message: String)? {
        switch self {
        case .firstRevisionServing:
            (.promoted, "Available", timelineMessage)
        case .promoted(_, let manualPromotion):
            (.promoted, manualPromotion.map { $0 == "promote-full" ? "PromotedFull" : "Promoted" }, timelineMessage)
        case .superseded:
            (.superseded, "Superseded", timelineMessage)
        case .reverted(_, let abort, _):
            (.rolledBack, abort.reason, abort.message ?? abort.reason)
        case .started, .stepReached, .awaitingApproval, .hookPassed, .cutOver:
            nil
        }
    }

    /// How the release ended, if the fact ends it (whether it had a blue is decided by the plan).
    var ending: ReleaseEnding? {
        switch self {
        case .firstRevisionServing(let revision), .promoted(let revision, _):
            .promoted(revision: revision)
        case .superseded(let revision, _, _):
            .reverted(revision: revision, reason: "Superseded")
        case .reverted(let revision, let abort, _):
            .reverted(revision: revision, reason: abort.reason)
        case .started, .stepReached, .awaitingApproval, .hookPassed, .cutOver:
            nil
        }
    }

    private static func startMessage(_ revision: String, blue: String?, rollback: Bool) -> String {
        if rollback, let blue { return "rolling back to \(revision), released before (from \(blue))" }
        return "releasing \(revision)" + (blue.map { " (blue \($0))" } ?? " (first revision)")
    }
}
