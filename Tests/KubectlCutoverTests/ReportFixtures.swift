import Cutover
import KubeModels

/// Fixed `status.history` and `status.hooks` as the controller writes them, for the report,
/// history and gate-line tests: the same text on every run, no controller needed.
enum ReportFixtures {
    /// 2026-11-22T03:00:00Z plus `seconds`.
    static func at(_ seconds: Int) -> Timestamp {
        let base = Timestamp(rfc3339: "2026-11-22T03:00:00Z")!
        return Timestamp(base.date.addingTimeInterval(Double(seconds)))
    }

    static let first = "kz6r69gbpm", promoted = "mrrpkh58dq", breached = "pdhmcpttvr", hookFailed = "q7x5b2n4vd"

    /// The first revision of a Rollout: promoted as soon as it was ready.
    static var firstRelease: ReleaseRecord {
        var record = ReleaseRecord(
            revision: first, images: ["app=registry.example.com/payment:1.4.2"], startedBy: "kubectl-client-side-apply",
            startedAt: at(0),
            timeline: [
                ReleaseEvent(at: at(0), type: .started, message: "releasing \(first) (first revision)"),
                ReleaseEvent(at: at(4), type: .completed, message: "first revision \(first) is ready and serving"),
            ])
        record.outcome = .promoted
        record.endedAt = at(4)
        record.reason = "Available"
        record.message = "first revision \(first) is ready and serving"
        return record
    }

    /// A canary release that waited for approval, passed both gate hooks and was promoted by hand.
    static var promotedRelease: ReleaseRecord {
        var record = ReleaseRecord(
            revision: promoted, blueRevision: first,
            images: ["app=registry.example.com/payment:1.4.3", "proxy=registry.example.com/envoy:1.30"],
            startedBy: "argocd-controller", startedAt: at(600),
            timeline: [
                ReleaseEvent(at: at(600), type: .started, message: "releasing \(promoted) (blue \(first))"),
                ReleaseEvent(at: at(612), type: .stepReached, message: "step 1/2: weight 20", step: 1, weight: 20),
                ReleaseEvent(at: at(732), type: .stepReached, message: "step 2/2: weight 50", step: 2, weight: 50),
                ReleaseEvent(
                    at: at(1032), type: .awaitingApproval, message: "waiting for cutover.dev/promote: ManualApproval",
                    reason: "ManualApproval"),
                ReleaseEvent(
                    at: at(1290), type: .hookPassed, message: "preCutover hook passed: HTTP 200: smoke tests ok", reason: "preCutover"),
                ReleaseEvent(at: at(1291), type: .cutOver, message: "active Service payment now selects \(promoted)", weight: 100),
                ReleaseEvent(
                    at: at(1297), type: .hookPassed, message: "postCutover hook passed: HTTP 204", reason: "postCutover"),
                ReleaseEvent(at: at(1891), type: .completed, message: "\(promoted) is the active revision"),
            ])
        record.outcome = .promoted
        record.endedAt = at(1891)
        record.reason = "Promoted"
        record.message = "\(promoted) is the active revision"
        record.measurements = [
            FinalMeasurement(metric: "error-rate", at: at(1885), value: 0.0012, baseline: nil, verdict: .pass, breaches: 0),
            FinalMeasurement(metric: "p95-latency-vs-blue", at: at(1885), value: 0.182, baseline: 0.171, verdict: .pass, breaches: 0),
        ]
        return record
    }

    /// Reverted at the first canary step: error-rate crossed `max 0.05`.
    static var breachedRelease: ReleaseRecord {
        var record = ReleaseRecord(
            revision: breached, blueRevision: promoted, images: ["app=registry.example.com/payment:1.5.0"],
            startedBy: "kubectl-client-side-apply", startedAt: at(3600),
            timeline: [
                ReleaseEvent(at: at(3600), type: .started, message: "releasing \(breached) (blue \(promoted))"),
                ReleaseEvent(at: at(3611), type: .stepReached, message: "step 1/2: weight 20", step: 1, weight: 20),
                ReleaseEvent(
                    at: at(3615), type: .rolledBack, message: "\(breached) rolled back: error-rate 0.1811 > max 0.05",
                    reason: "AnalysisBreach", metric: "error-rate", value: 0.1811, limit: 0.05),
            ])
        record.outcome = .rolledBack
        record.endedAt = at(3615)
        record.reason = "AnalysisBreach"
        record.message = "error-rate 0.1811 > max 0.05"
        record.measurements = [
            FinalMeasurement(metric: "error-rate", at: at(3615), value: 0.1811, baseline: nil, verdict: .breach, breaches: 1),
            FinalMeasurement(metric: "p95-latency-vs-blue", at: at(3615), value: nil, baseline: nil, verdict: .inconclusive, breaches: 0),
        ]
        return record
    }

    /// Ready at full size, then the preCutover smoke test failed three times: reverted before any
    /// user saw it (no analysis configured).
    static var hookFailedRelease: ReleaseRecord {
        let message = "preCutover hook failed after 3 attempts: HTTP 500: smoke test /checkout | expected 200, got 502"
        var record = ReleaseRecord(
            revision: hookFailed, blueRevision: promoted, images: ["app=registry.example.com/payment:1.5.1"],
            startedBy: "kubectl-edit", startedAt: at(7200),
            timeline: [
                ReleaseEvent(at: at(7200), type: .started, message: "releasing \(hookFailed) (blue \(promoted))"),
                ReleaseEvent(
                    at: at(7233), type: .rolledBack, message: "\(hookFailed) rolled back: \(message)", reason: "PreCutoverHookFailed"),
            ])
        record.outcome = .rolledBack
        record.endedAt = at(7233)
        record.reason = "PreCutoverHookFailed"
        record.message = message
        return record
    }

    static var failedHook: HookStatus {
        var hook = HookStatus(name: .preCutover, revision: hookFailed, phase: .failed, startedAt: at(7210))
        hook.finishedAt = at(7233)
        hook.attempts = 3
        hook.message = "HTTP 500: smoke test /checkout | expected 200, got 502\nsee https://ci.example.com/runs/42"
        return hook
    }

    /// `web`: four releases, the newest reverted by its preCutover hook.
    static func webStatus(generation: Int64) -> RolloutStatus {
        var status = RolloutStatus()
        status.phase = .rolledBack
        status.observedGeneration = generation
        status.activeRevision = promoted
        status.rolledBackRevision = hookFailed
        status.traffic = .blue
        status.weight = 0
        status.message = "rolled back: preCutover hook failed"
        status.abort = AbortStatus(
            reason: "PreCutoverHookFailed", revision: hookFailed, message: hookFailedRelease.message, at: at(7233))
        status.hooks = [failedHook]
        status.history = [firstRelease, promotedRelease, breachedRelease, hookFailedRelease]
        return status
    }

    /// `api`: the first revision and the promoted release, its hooks still in status.
    static func apiStatus(generation: Int64) -> RolloutStatus {
        var status = RolloutStatus()
        status.phase = .healthy
        status.observedGeneration = generation
        status.activeRevision = promoted
        status.traffic = .blue
        status.weight = 0
        var pre = HookStatus(name: .preCutover, revision: promoted, phase: .passed, startedAt: at(1280))
        pre.finishedAt = at(1290)
        pre.attempts = 2
        pre.message = "HTTP 200: smoke tests ok"
        var post = HookStatus(name: .postCutover, revision: promoted, phase: .passed, startedAt: at(1291))
        post.finishedAt = at(1297)
        post.attempts = 1
        post.message = "HTTP 204"
        status.hooks = [pre, post]
        status.history = [firstRelease, promotedRelease]
        return status
    }
}
