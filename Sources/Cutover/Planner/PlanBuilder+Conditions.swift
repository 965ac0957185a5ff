import KubeModels

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The summary parts of the status: conditions (metav1 style, usable with `kubectl wait`), the
/// one-line message and the scale subresource fields.
extension PlanBuilder {
    /// Condition types a Rollout carries.
    enum ConditionType {
        static let available = "Available"
        static let progressing = "Progressing"
        static let paused = "Paused"
        static let completed = "Completed"
        static let rolledBack = "RolledBack"
        static let invalidSpec = "InvalidSpec"
        static let promotionAllowed = "PromotionAllowed"
        /// kstatus' conditions (docs/gitops.md): what GitOps tools read.
        static let ready = "Ready"
        static let reconciling = "Reconciling"
        static let stalled = "Stalled"
    }

    var serviceMissing: Bool { snapshot.services.index(forKey: rollout.spec.services.active) == nil }

    /// Why the active Service cannot be steered, if it cannot: its selector (apart from our key)
    /// must be non-empty and match the template's labels, or pointing it at a revision would
    /// select no pod at all. (Computed once per plan, in `init`: see ``serviceSelectorProblem``.)
    static func selectorProblem(in snapshot: ReleaseSnapshot) -> String? {
        let rollout = snapshot.rollout
        guard let service = snapshot.services[rollout.spec.services.active] else { return nil }
        var selector = service.spec?.selector ?? [:]
        selector[CutoverLabels.revision] = nil
        let name = rollout.spec.services.active
        if selector.isEmpty { return "Service \(name) has no selector of its own; give it the template's labels (e.g. app)" }
        let labels = rollout.spec.template.metadata?.labels ?? [:]
        for key in selector.keys.sorted() where labels[key] != selector[key] {
            return "Service \(name) selects \(key)=\(selector[key]!), which the pod template's labels do not have"
        }
        return nil
    }

    mutating func finishStatus() {
        let serving = status.traffic == .green ? status.greenRevision : status.activeRevision
        let servingDeployment = serving.flatMap { deployments[$0] }
        status.replicas = servingDeployment?.status?.replicas ?? 0
        if invalidErrors.isEmpty { status.message = message() + groupWaitNote }

        var conditions = ConditionList(previous: oldStatus.conditions, now: now, generation: rollout.metadata.generation)
        func set(_ type: String, _ value: Bool, _ reason: String, _ message: String) { conditions.set(type, value, reason, message) }
        let ready = servingDeployment?.status?.readyReplicas ?? 0
        var blocked: (reason: String, message: String)?
        if serviceMissing {
            blocked = ("ActiveServiceNotFound", "Service \(rollout.spec.services.active) does not exist")
            set(ConditionType.available, false, blocked!.reason, blocked!.message)
        } else if invalidErrors.isEmpty, let problem = serviceSelectorProblem {
            blocked = ("ServiceSelectorMismatch", problem)
            set(ConditionType.available, false, blocked!.reason, problem)
        } else if invalidErrors.isEmpty, let inUse = serviceInUseText {
            blocked = ("ServiceInUse", inUse)
            set(ConditionType.available, false, blocked!.reason, inUse)
        } else if serving == nil {
            set(ConditionType.available, false, "NoActiveRevision", "no revision serves yet")
        } else if ready >= spec.replicas {
            set(ConditionType.available, true, "MinimumReplicasAvailable", "\(serving!) has \(ready)/\(spec.replicas) ready pods")
        } else {
            set(ConditionType.available, false, "MinimumReplicasUnavailable", "\(serving!) has \(ready)/\(spec.replicas) ready pods")
        }
        let phase = status.phase ?? .progressing
        switch phase {
        case .rolledBack:
            set(ConditionType.progressing, false, status.abort?.reason ?? "RolledBack", status.abort?.message ?? "rolled back")
        case .degraded:
            set(ConditionType.progressing, false, "ProgressDeadlineExceeded", status.message ?? "")
        case .healthy:
            set(ConditionType.progressing, false, "ReleaseComplete", "no release in flight")
        case .invalidSpec:
            set(ConditionType.progressing, false, "InvalidSpec", "waiting for a valid spec")
        case .awaitingPromotion:
            set(ConditionType.progressing, true, "AwaitingPromotion", "\(hash) waits at the promotion gate")
        default:
            set(ConditionType.progressing, true, "ReleaseInProgress", "releasing \(status.greenRevision ?? "-") (\(phase.rawValue))")
        }
        set(ConditionType.paused, paused, paused ? "PausedByAnnotation" : "NotPaused",
            paused ? "\(CutoverLabels.paused) is \"true\"" : "not paused")
        let completed = phase == .healthy && status.activeRevision == hash && status.greenRevision == nil
        set(ConditionType.completed, completed, completed ? "ReleaseComplete" : phase.rawValue,
            completed ? "\(hash) is the active revision" : "the template is not the active revision yet")
        set(ConditionType.rolledBack, phase == .rolledBack, phase == .rolledBack ? (status.abort?.reason ?? "RolledBack") : "NotRolledBack",
            phase == .rolledBack ? (status.abort?.message ?? "") : "")
        if let promotion = promotionCondition { set(ConditionType.promotionAllowed, promotion.allowed, promotion.reason, promotion.message) }
        if invalidErrors.isEmpty {
            set(ConditionType.invalidSpec, false, "Valid", "the spec is valid")
        } else {
            set(ConditionType.invalidSpec, true, "InvalidField", invalidErrors.map(\.description).joined(separator: "; "))
        }
        setKstatusConditions(&conditions, phase: phase, completed: completed && ready >= spec.replicas, blocked: blocked)
        status.conditions = conditions.conditions
    }

    /// `Stalled` when nothing can move until someone acts (an invalid spec, a Degraded first
    /// revision, a rolled-back template, a Service that cannot be steered); else `Reconciling`
    /// while a release is in flight; `Ready` only when the template's revision serves, complete.
    private func setKstatusConditions(
        _ conditions: inout ConditionList, phase: RolloutPhase, completed: Bool, blocked: (reason: String, message: String)?
    ) {
        var stalled = blocked
        switch phase {
        case .invalidSpec: stalled = ("InvalidSpec", invalidErrors.map(\.description).joined(separator: "; "))
        case .degraded: stalled = ("Degraded", status.message ?? "degraded")
        case .rolledBack: stalled = (status.abort?.reason ?? "RolledBack", "\(hash) was rolled back: \(status.abort?.message ?? "-"); change the template or retry")
        default: break
        }
        let inFlight =
            switch phase {
            case .progressing, .canary, .awaitingApproval, .awaitingPromotion, .promoting, .holdWindow: true
            case .healthy, .rolledBack, .degraded, .invalidSpec: false
            }
        let reconciling = stalled == nil && inFlight
        let isReady = stalled == nil && completed
        conditions.set(ConditionType.stalled, stalled != nil, stalled?.reason ?? "NotStalled", stalled?.message ?? "nothing blocks the Rollout")
        conditions.set(
            ConditionType.reconciling, reconciling, reconciling ? phase.rawValue : "NotReconciling",
            reconciling ? "releasing " + (status.greenRevision ?? hash) + " (" + phase.rawValue + ")" : "no release in flight")
        conditions.set(
            ConditionType.ready, isReady, isReady ? "ReleaseComplete" : (stalled?.reason ?? phase.rawValue),
            isReady ? hash + " serves, its release complete" : (stalled?.message ?? "the template is not serving yet"))
    }

    /// One short line for `kubectl get`.
    func message() -> String {
        if serviceMissing { return "active Service \(rollout.spec.services.active) not found" }
        if let problem = serviceSelectorProblem { return problem }
        if let inUse = serviceInUseText { return inUse }
        let prefix = paused ? "paused: " : ""
        let green = status.greenRevision ?? "-"
        func pods(_ revision: String?, of wanted: Int32) -> String {
            "\(revision.flatMap { deployments[$0]?.status?.readyReplicas } ?? 0)/\(wanted) ready"
        }
        switch status.phase ?? .progressing {
        case .healthy:
            return prefix + "serving \(status.activeRevision ?? "-")"
        case .progressing:
            return prefix + "green \(green) \(pods(status.greenRevision, of: greenWanted))"
        case .canary:
            let index = Int(status.currentStepIndex ?? 0)
            let step = "step \(index + 1)/\(steps.count)"
            if status.stepStartedAt == nil { return prefix + "\(step): green \(pods(status.greenRevision, of: greenWanted))" }
            return prefix + "\(step): " + (analysisSummary ?? "weight \(status.weight ?? 0)")
        case .awaitingApproval:
            return prefix + "awaiting promote: \(status.approvalReason ?? "approval")"
        case .awaitingPromotion:
            let judged = status.promotion?.revision == hash ? status.promotion : nil
            return prefix + "\(hash) awaits promotion: \(judged?.message ?? "reading the promotion sources")"
        case .promoting:
            if let hook = runningHook { return prefix + "\(hook.name.rawValue) hook running since \(hook.startedAt)" }
            return prefix + "scaling green \(green) \(pods(status.greenRevision, of: spec.replicas))"
        case .holdWindow:
            if let hook = runningHook, status.holdUntil.map({ now >= $0 }) ?? true {
                return prefix + "\(hook.name.rawValue) hook running since \(hook.startedAt)"
            }
            return prefix + "holding blue until \(status.holdUntil?.description ?? "-")" + (analysisSummary.map { ": \($0)" } ?? "")
        case .rolledBack:
            return prefix + "rolled back: \(status.abort?.message ?? status.abort?.reason ?? "-")"
        case .degraded:
            if let green = status.greenRevision {
                return "first revision \(green) not ready within \(spec.progressDeadlineSeconds)s: \(pods(green, of: spec.replicas))"
            }
            return status.message ?? "degraded"
        case .invalidSpec:
            return status.message ?? "invalid spec"
        }
    }

    /// `; waiting for group <name> at <barrier>` while the group holds the member.
    var groupWaitNote: String {
        guard let group = status.group, let barrier = group.waitingAt else { return "" }
        guard snapshot.group != nil else { return "; waiting for group \(group.name): no such ReleaseGroup in \(rollout.metadata.namespace ?? "")" }
        let at = barrier == .step ? "step \((group.step ?? 0) + 1)" : barrier.rawValue
        return "; waiting for group \(group.name) at \(at)"
    }

    /// The newest measurement's judgement with the count of measurements so far.
    var analysisSummary: String? {
        let newest = (status.analysis ?? []).compactMap { state in state.history.last.map { (state, $0) } }
            .max { $0.1.at < $1.1.at }
        guard let (state, record) = newest else { return nil }
        return "\(record.message ?? record.verdict.rawValue) (\(state.history.count) measured)"
    }
}
