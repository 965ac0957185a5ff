import Cutover
import KubeModels

/// The one line `kubectl cutover status` prints per change, for example
/// `Canary 20% (step 1/2) — error-rate 0.002 ≤ 0.01, 4/8 checks passed`. It names no clock time
/// that changes by itself, so a line is printed only when the release changed.
public enum StatusLine {
    /// The line for `rollout` as it is now.
    public static func line(for rollout: Rollout) -> String {
        guard let status = rollout.status, let phase = status.phase else {
            return "Pending — no controller has written a status yet"
        }
        let paused = status.paused == true ? " (paused)" : ""
        guard ControllerLag.isCurrent(rollout) else {
            return "\(phase.rawValue) — the controller has not acted on generation \(rollout.metadata.generation ?? 0) yet (observed \(status.observedGeneration ?? 0))"
        }
        let spec = rollout.spec.resolved()
        let checks = analysisText(rollout)
        switch phase {
        case .progressing:
            return "Progressing — \(status.message ?? "green \(status.greenRevision ?? "-") coming up")\(paused)"
        case .canary:
            let index = Int(status.currentStepIndex ?? 0)
            let weight = index < spec.steps.count ? spec.steps[index].weight : status.weight ?? 0
            let head = "Canary \(weight)% (step \(index + 1)/\(spec.steps.count))"
            if status.stepStartedAt == nil { return "\(head) — green scaling to the step's size\(paused)" }
            let pause = DurationText.format(spec.steps[min(index, spec.steps.count - 1)].pauseSeconds)
            let waiting = spec.metrics.isEmpty
                ? "no analysis, pause \(pause)"
                : "pause \(pause), first measurement \(DurationText.format(spec.intervalSeconds)) after green gets traffic"
            return "\(head) — \(checks ?? waiting)\(paused)"
        case .awaitingApproval:
            let reason = status.approvalReason ?? "ManualApproval"
            return "AwaitingApproval — \(reason): promote with `kubectl cutover promote \(rollout.metadata.name ?? "-")`\(paused)"
        case .promoting:
            return "Promoting — \(status.message ?? "green scaling to full size")\(paused)"
        case .holdWindow:
            let until = status.holdUntil.map { " until \($0)" } ?? ""
            return "HoldWindow 100% — green serves, blue kept\(until)" + (checks.map { "; \($0)" } ?? "") + paused
        case .awaitingPromotion:
            return "AwaitingPromotion — \(status.message ?? "waiting for the promotion sources")\(paused)"
        case .healthy:
            return "Healthy — serving \(status.activeRevision ?? "-")\(paused)"
        case .rolledBack:
            return "RolledBack — " + (status.abort.map { abortText($0) } ?? status.message ?? "rolled back")
        case .invalidSpec:
            return "InvalidSpec — \(status.message ?? "the spec is invalid")"
        case .degraded:
            return "Degraded — \(status.message ?? "the first revision is not ready")"
        }
    }

    /// The newest result of each metric in the current release, how many checks passed (marginal
    /// ones included) and the release score: `error-rate 0.002 ≤ 0.01, 4/8 checks passed, score 75
    /// (Marginal)`; `nil` before the first measurement.
    static func analysisText(_ rollout: Rollout) -> String? {
        guard let status = rollout.status, let green = status.greenRevision else { return nil }
        let records = (status.analysis ?? []).map { $0.history.filter { $0.revision == green } }
        let newest = records.compactMap { $0.last?.message ?? $0.last?.verdict.rawValue }
        guard !newest.isEmpty else { return nil }
        let all = records.flatMap { $0 }
        let passed = all.filter { $0.verdict.passes }.count
        var text = newest.joined(separator: "; ") + ", \(passed)/\(all.count) checks passed"
        if let score = status.score { text += ", score \(score.value)" + (score.result.map { " (\($0.rawValue))" } ?? "") }
        return text
    }

    /// Why a release was reverted, with the numbers: `AnalysisBreach: error-rate 0.24 > max 0.05
    /// (metric error-rate, value 0.24, limit 0.05); reverted mrrpkh58dq`. In a release group the
    /// member whose failure reverted the group comes first: `(member payment, metric ...)`.
    public static func abortText(_ abort: AbortStatus, namingRevision: Bool = true) -> String {
        var text = "\(abort.reason): \(abort.message ?? abort.reason)"
        var numbers: [String] = []
        if let member = abort.member { numbers.append("member \(member)") }
        if let metric = abort.metric { numbers.append("metric \(metric)") }
        if let value = abort.value { numbers.append("value \(NumberText.short(value))") }
        if let limit = abort.limit { numbers.append("limit \(NumberText.short(limit))") }
        if !numbers.isEmpty { text += " (\(numbers.joined(separator: ", ")))" }
        if namingRevision, let revision = abort.revision { text += "; reverted \(revision)" }
        return text
    }
}
