import KubeModels

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The transitions of DESIGN.md §2. Each function looks at `status` and the observed world and
/// moves `status` on at most one step; housekeeping then derives the actions from the new status.
extension PlanBuilder {
    mutating func transition() {
        switch ReleaseState(status) {
        case .steady: steady()
        case .firstRevision(let green): firstDeploy(green)
        case .releasing(let green, let blue, let step): release(green, blue: blue, step: step)
        }
    }

    /// A release beside blue: first what can end or restart it in any step (the template set
    /// back or changed again, blue or green deleted, an abort, a breach, a failed hook), then the
    /// step's own transition.
    mutating func release(_ green: String, blue: String, step: ReleaseStep) {
        // The group promoted this release: final for every member, whatever came after (a newer
        // template, an abort, a late breach); the next release starts from green.
        if groupPromoted(green), status.traffic == .green {
            return complete()
        }
        if hash == blue {
            pending.abort = false
            return revert(reason: "TemplateSetBackToBlue", message: "template set back to \(blue): fast rollback", counted: false, then: .healthy)
        }
        if deployments[blue] == nil {
            if status.traffic != .blue {
                // Green already serves (split or all traffic) and is the only revision with pods:
                // promoting it at once keeps the selector from staying wide with nothing to narrow to.
                events.append(RolloutEvent(type: "Warning", reason: "BlueDeploymentDeleted", message: "blue \(blue) was deleted while \(green) served; promoting \(green) now"))
                return complete()
            }
            events.append(RolloutEvent(type: "Warning", reason: "BlueDeploymentDeleted", message: "blue \(blue) was deleted; releasing \(green) as a first deploy"))
            status.activeRevision = nil
            return startRelease(green, firstDeploy: true)
        }
        if hash != green, !paused {
            record(.superseded(revision: green, by: hash, firstRevision: false))
            finishRelease()
            return startRelease(hash, firstDeploy: false)
        }
        if pending.abort {
            pending.abort = false
            return revert(reason: "Aborted", message: "aborted by the cutover.dev/abort annotation")
        }
        if let failure = analysisFailure {
            analysisFailure = nil
            return revert(abort: failure)
        }
        if let failure = hookFailure {
            hookFailure = nil
            return revert(abort: failure)
        }
        if let failure = groupRevert(of: green) {
            guard groupSwitched(to: blue) else { return }
            return revert(abort: failure)
        }
        if deployments[green] == nil, status.traffic == .green {
            return revert(reason: "GreenDeploymentDeleted", message: "green \(green) was deleted while serving")
        }
        // Nothing of green exists until the preRelease gate (a migration) passed.
        guard gatePassed(.preRelease, green: green) else { return }
        switch step {
        case .preparing: progressing(green)
        case .canary(let index): canary(green, step: index)
        case .awaitingApproval(let afterCutover): awaitingApproval(afterCutover: afterCutover)
        case .promoting: promoting(green)
        case .holdWindow(let until): holdWindow(until: until)
        }
    }

    /// No release in flight.
    mutating func steady() {
        guard let blue = status.activeRevision else { return startRelease(hash, firstDeploy: true) }
        if deployments[blue] == nil, hash != blue {
            if pending.retry || status.rolledBackRevision != hash {
                pending.retry = false
                events.append(RolloutEvent(type: "Warning", reason: "BlueDeploymentDeleted", message: "active \(blue) was deleted; releasing \(hash) as a first deploy"))
                status.activeRevision = nil
                return startRelease(hash, firstDeploy: true)
            }
            status.phase = .degraded
            status.message = "active \(blue) was deleted and \(hash) was rolled back; retry or change the template"
            return
        }
        if pending.retry || groupRetries(hash), status.phase == .rolledBack, status.rolledBackRevision == hash {
            pending.retry = false
            status.rolledBackRevision = nil
            // The sources may have changed their minds since: the gate reads them again.
            if status.promotion?.revision == hash { status.promotion = nil }
            events.append(RolloutEvent(reason: "Retry", message: "retrying \(hash)"))
        }
        if let rolledBack = status.rolledBackRevision, rolledBack != hash { status.rolledBackRevision = nil }
        if hash == blue {
            status.phase = .healthy
            return
        }
        if hash == status.rolledBackRevision {
            status.phase = .rolledBack
            return
        }
        guard !paused else { return }
        startRelease(hash, firstDeploy: false)
    }

    mutating func startRelease(_ revision: String, firstDeploy: Bool) {
        let rollback = isRollback(to: revision)
        // The template waits at the promotion gate; a green already released goes on (it passed),
        // and so does a rollback (it passed when it was released).
        guard rollback || revision != hash || promotionAllows() else { return }
        pending.consumeAll()
        // A breach or failed hook in this snapshot was the superseded green's, not the new one's.
        analysisFailure = nil
        hookFailure = nil
        let blue = status.activeRevision
        status.greenRevision = revision
        status.phase = .progressing
        status.traffic = .blue
        status.releaseStartedAt = now
        status.progressDeadline = later(spec.progressDeadlineSeconds)
        clearReleaseProgress()
        status.manualPromotion = nil
        status.abort = nil
        status.score = nil
        status.hooks = nil
        record(.started(revision: revision, blue: blue, rollback: rollback))
        status.analysis = metrics.map { MetricStatus(name: $0.name) }
        recordPromotion()
    }

    /// The first revision of a Rollout (no blue): wait until ready, then point the Service at it.
    mutating func firstDeploy(_ green: String) {
        if hash != green, !paused {
            record(.superseded(revision: green, by: hash, firstRevision: true))
            return startRelease(hash, firstDeploy: true)
        }
        guard isReady(green, wanted: spec.replicas) else {
            if status.progressDeadline == nil { status.progressDeadline = later(spec.progressDeadlineSeconds) }
            if let deadline = status.progressDeadline, now >= deadline {
                if status.phase != .degraded {
                    events.append(RolloutEvent(type: "Warning", reason: "ProgressDeadlineExceeded", message: "\(green) was not ready within \(spec.progressDeadlineSeconds)s"))
                }
                status.phase = .degraded
            } else if let deadline = status.progressDeadline {
                wake(at: deadline)
            }
            return
        }
        record(.firstRevisionServing(revision: green))
        status.activeRevision = green
        finishRelease()
    }

    mutating func progressing(_ green: String) {
        if takePromote() { return }
        status.phase = .progressing
        let wanted = steps.isEmpty ? spec.replicas : spec.canaryReplicas(weight: steps[0].weight)
        guard isReady(green, wanted: wanted) else { return waitForGreen() }
        markGreenReady(green)
        guard !paused else { return }
        guard groupOpens(.greenReady, green: green) else { return waitForGroup(at: .greenReady) }
        if !steps.isEmpty {
            status.phase = .canary
            status.currentStepIndex = 0
            status.stepStartedAt = nil
        } else if manualApproval, !grouped {
            awaitApproval(reason: "ManualApproval")
        } else {
            status.phase = .promoting
        }
    }

    mutating func canary(_ green: String, step index: Int) {
        if takePromote() { return }
        guard index < steps.count else { return status.phase = .promoting }
        let step = steps[index]
        let ready = isReady(green, wanted: spec.canaryReplicas(weight: step.weight))
        if status.traffic != .split {
            guard ready, othersHaveNoPods else { return ready ? () : waitForGreen() }
            status.traffic = .split
        }
        guard ready else { return waitForGreen() }
        status.progressDeadline = nil
        if status.stepStartedAt == nil {
            status.stepStartedAt = now
            status.weight = step.weight
            record(.stepReached(revision: green, step: Int32(index + 1), steps: steps.count, weight: step.weight))
        }
        guard !paused, !inconclusiveGateTripped() else { return }
        let pauseEnd = Timestamp(status.stepStartedAt!.date.addingTimeInterval(Double(step.pauseSeconds)))
        guard now >= pauseEnd else { return wake(at: pauseEnd) }
        guard analysisPassed(since: status.stepStartedAt!), scoreAllows(since: status.stepStartedAt!) else { return }
        guard groupOpens(.step, step: index, green: green) else { return waitForGroup(at: .step, step: index) }
        if index + 1 < steps.count {
            status.currentStepIndex = Int32(index + 1)
            status.stepStartedAt = nil
        } else if manualApproval, !grouped {
            awaitApproval(reason: "ManualApproval")
        } else {
            status.phase = .promoting
        }
    }

    mutating func awaitingApproval(afterCutover: Bool) {
        if afterCutover {
            if pending.promoteFull {
                pending.promoteFull = false
                pending.promote = false
                status.manualPromotion = "promote-full"
                return complete()
            }
            if pending.promote {
                pending.promote = false
                // A human's approval, of a marginal score too: the gate does not ask again.
                status.manualPromotion = "promote"
                resetInconclusive()
                status.approvalReason = nil
                status.phase = .holdWindow
            }
            return
        }
        _ = takePromote()
    }

    mutating func promoting(_ green: String) {
        status.phase = .promoting
        guard isReady(green, wanted: spec.replicas) else { return waitForGreen() }
        status.progressDeadline = nil
        guard !paused, gatePassed(.preCutover, green: green) else { return }
        // In a group the group switches the Service (with the rest of the wave) and says when.
        var cutoverAt = now
        if grouped {
            guard let switched = groupCutover(of: green), groupSwitched(to: green) else { return waitForGroup(at: .cutover) }
            cutoverAt = switched
        }
        markGreenReady(green)
        status.traffic = .green
        status.cutoverAt = cutoverAt
        status.stepStartedAt = cutoverAt
        status.holdUntil = Timestamp(cutoverAt.date.addingTimeInterval(Double(spec.holdWindowSeconds)))
        status.currentStepIndex = nil
        status.weight = 100
        status.phase = .holdWindow
        record(.cutOver(revision: green, holdSeconds: spec.holdWindowSeconds))
    }

    mutating func holdWindow(until holdUntil: Timestamp?) {
        if pending.promoteFull, !grouped {
            pending.promoteFull = false
            status.manualPromotion = "promote-full"
            return complete()
        }
        // Called at cutover, alongside the hold window; the release completes only once it passed.
        let gateOpen = status.greenRevision.map { gatePassed(.postCutover, green: $0) } ?? true
        guard !inconclusiveGateTripped() else { return }
        guard let holdUntil, now >= holdUntil else { return holdUntil.map { wake(at: $0) } ?? () }
        guard !paused else { return }
        if spec.holdWindowSeconds > 0, let cutoverAt = status.cutoverAt {
            guard analysisPassed(since: cutoverAt), scoreAllows(since: cutoverAt) else { return }
        }
        guard gateOpen else { return }
        guard let green = status.greenRevision, groupOpens(.completion, green: green) else { return waitForGroup(at: .completion) }
        complete()
    }

    /// A promote or promote-full before cutover: skip the remaining steps and the approval.
    mutating func takePromote() -> Bool {
        guard pending.promote || pending.promoteFull else { return false }
        status.manualPromotion = pending.promoteFull ? "promote-full" : "promote"
        pending.promote = false
        pending.promoteFull = false
        resetInconclusive()
        status.approvalReason = nil
        status.phase = .promoting
        events.append(RolloutEvent(reason: "Promoted", message: "\(status.manualPromotion!) by annotation: skipping the remaining steps"))
        return true
    }

    mutating func awaitApproval(reason: String) {
        status.phase = .awaitingApproval
        status.approvalReason = reason
        record(.awaitingApproval(reason: reason))
    }

    /// Green is not ready at its wanted size: arm the progress deadline, revert once it passes.
    mutating func waitForGreen() {
        if paused {
            status.progressDeadline = nil
            return
        }
        let deadline = status.progressDeadline ?? later(spec.progressDeadlineSeconds)
        status.progressDeadline = deadline
        if now >= deadline {
            revert(reason: "ProgressDeadlineExceeded", message: "green was not ready within \(spec.progressDeadlineSeconds)s")
        } else {
            wake(at: deadline)
        }
    }

    mutating func markGreenReady(_ green: String) {
        status.progressDeadline = nil
        if status.greenReadyAt == nil {
            status.greenReadyAt = now
            events.append(RolloutEvent(reason: "GreenReady", message: "\(green) is ready"))
        }
    }

    /// Green serves alone now: it becomes the active revision; blue goes to 0 in housekeeping.
    mutating func complete() {
        guard let green = status.greenRevision else { return }
        record(.promoted(revision: green, manualPromotion: status.manualPromotion))
        status.activeRevision = green
        finishRelease()
    }

    /// Back to the state of no release in flight.
    mutating func finishRelease() {
        status.greenRevision = nil
        status.phase = .healthy
        status.traffic = .blue
        status.progressDeadline = nil
        clearReleaseProgress()
    }

    /// Clears what only a release in flight has: its step, timing, weight and approval reason.
    mutating func clearReleaseProgress() {
        status.currentStepIndex = nil
        status.stepStartedAt = nil
        status.greenReadyAt = nil
        status.cutoverAt = nil
        status.holdUntil = nil
        status.weight = 0
        status.approvalReason = nil
    }

    mutating func revert(reason: String, message: String, counted: Bool = true, then phase: RolloutPhase = .rolledBack) {
        revert(abort: AbortStatus(reason: reason, message: message), counted: counted, then: phase)
    }

    /// The active Service goes back to blue (still at full size), green to 0 (in housekeeping).
    /// A `counted` revert is a rollback: the revision is not tried again until the template
    /// changes or a retry.
    mutating func revert(abort: AbortStatus, counted: Bool = true, then phase: RolloutPhase = .rolledBack) {
        guard let green = status.greenRevision else { return }
        var abort = abort
        abort.revision = green
        abort.at = now
        record(.reverted(revision: green, abort: abort, counted: counted))
        if counted {
            status.abort = abort
            status.rolledBackRevision = green
        }
        finishRelease()
        status.phase = phase
    }
}
