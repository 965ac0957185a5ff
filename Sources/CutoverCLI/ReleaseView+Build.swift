import Cutover
import KubeModels

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension ReleaseView {
    /// The view of `rollout` with its Deployments and Services (by name) as observed at `now`.
    public init(rollout: Rollout, deployments: [Deployment], services: [String: Service], now: Date) {
        let status = rollout.status ?? RolloutStatus()
        let spec = rollout.spec.resolved()
        name = rollout.metadata.name ?? "-"
        namespace = rollout.metadata.namespace ?? "-"
        phase = status.phase?.rawValue ?? "Unknown"
        message = status.message
        generation = rollout.metadata.generation
        observedGeneration = status.observedGeneration
        paused = rollout.metadata.annotations?[CutoverLabels.paused] == "true"
        weight = status.weight ?? 0
        traffic = status.traffic?.rawValue
        activeRevision = status.activeRevision
        greenRevision = status.greenRevision
        rolledBackRevision = status.rolledBackRevision
        approvalReason = status.phase == .awaitingApproval ? status.approvalReason : nil
        abort = status.phase == .rolledBack ? status.abort : nil
        if status.phase == .holdWindow, let until = status.holdUntil {
            holdUntil = until
            holdRemainingSeconds = max(0, Int64(until.date.timeIntervalSince(now).rounded(.up)))
        }
        if status.phase == .canary, let index = status.currentStepIndex, Int(index) < spec.steps.count {
            let resolved = spec.steps[Int(index)]
            var remaining: Int64?
            if let started = status.stepStartedAt {
                remaining = max(0, Int64((started.date.timeIntervalSince(now) + Double(resolved.pauseSeconds)).rounded(.up)))
            }
            step = Step(number: Int(index) + 1, of: spec.steps.count, weight: resolved.weight, pauseSeconds: resolved.pauseSeconds, pauseRemainingSeconds: remaining)
        }
        revisions = Self.revisions(deployments, status: status)
        var targets = [ServiceTarget(name: rollout.spec.services.active, role: "active", exists: false, selects: nil)]
        if let preview = rollout.spec.services.preview { targets.append(ServiceTarget(name: preview, role: "preview", exists: false, selects: nil)) }
        for index in targets.indices {
            if let service = services[targets[index].name] {
                targets[index].exists = true
                targets[index].selects = service.spec?.selector?[CutoverLabels.revision]
            }
        }
        self.services = targets
        let inRelease = status.greenRevision ?? status.rolledBackRevision
        analysis = spec.metrics.map { metric in
            let state = status.analysis?.first { $0.name == metric.name }
            let records = (state?.history ?? []).filter { inRelease == nil || $0.revision == inRelease }
            return Metric(
                name: metric.name, threshold: Self.threshold(metric), breaches: state?.breaches ?? 0,
                failureLimit: metric.failureLimit ?? ResolvedSpec.Defaults.failureLimit, measurements: records)
        }
        score = status.score
        promotion = Self.promotionText(status)
        hooks = (status.hooks ?? []).filter { $0.revision == inRelease }.map { hook in
            Hook(
                name: hook.name.rawValue, phase: hook.phase.rawValue, startedAt: hook.startedAt, finishedAt: hook.finishedAt,
                attempts: hook.attempts, message: hook.message,
                runningSeconds: hook.phase == .running ? max(0, Int64(now.timeIntervalSince(hook.startedAt.date).rounded(.down))) : nil)
        }
    }

    /// The promotion gate's line, while a revision waits at it or the release it let through runs.
    static func promotionText(_ status: RolloutStatus) -> String? {
        guard let promotion = status.promotion, status.phase == .awaitingPromotion || promotion.revision == status.greenRevision
        else { return nil }
        if promotion.allowed { return promotion.message }
        let waiting = (promotion.sources ?? []).filter { !$0.verified }.map { "\($0.source): \($0.message)" }
        return "\(promotion.revision) waiting for " + (waiting.isEmpty ? "the sources to be read" : waiting.joined(separator: "; "))
    }

    static func revisions(_ deployments: [Deployment], status: RolloutStatus) -> [Revision] {
        let all = deployments.compactMap { deployment -> Revision? in
            guard let revision = deployment.metadata.labels?[CutoverLabels.revision] else { return nil }
            let role: String
            switch revision {
            case status.activeRevision: role = "blue"
            case status.greenRevision: role = "green"
            case status.rolledBackRevision: role = "rolled-back"
            default: role = "old"
            }
            return Revision(
                revision: revision, role: role, deployment: deployment.metadata.name ?? "-", images: images(of: deployment.spec?.template),
                replicas: deployment.spec?.replicas ?? 1, readyReplicas: deployment.status?.readyReplicas ?? 0,
                created: deployment.metadata.creationTimestamp)
        }
        let order = ["green": 0, "blue": 1, "rolled-back": 2, "old": 3]
        return all.sorted { lhs, rhs in
            if lhs.role != rhs.role { return order[lhs.role, default: 9] < order[rhs.role, default: 9] }
            if lhs.created != rhs.created { return (lhs.created?.date ?? .distantPast) > (rhs.created?.date ?? .distantPast) }
            return lhs.revision < rhs.revision
        }
    }

    /// The container images of a pod template, in order.
    static func images(of template: PodTemplateSpec?) -> [String] {
        (template?.spec?["containers"]?.arrayValue ?? []).compactMap { $0["image"]?.stringValue }
    }

    /// The metric's limits in words.
    static func threshold(_ metric: MetricSpec) -> String {
        var parts: [String] = []
        if let max = metric.max { parts.append("max \(NumberText.short(max))") }
        if let min = metric.min { parts.append("min \(NumberText.short(min))") }
        if let increase = metric.maxIncrease { parts.append("≤ blue +\(NumberText.short(increase * 100))%") }
        if let decrease = metric.maxDecrease { parts.append("≥ blue -\(NumberText.short(decrease * 100))%") }
        if let judge = metric.judge {
            let effect = NumberText.short((judge.minEffect ?? JudgeSpec.Defaults.minEffect) * 100)
            parts.append("\(judge.type) vs blue over \(DurationText.format(judge.windowSeconds)), minEffect \(effect)%")
        }
        return parts.joined(separator: ", ")
    }
}
