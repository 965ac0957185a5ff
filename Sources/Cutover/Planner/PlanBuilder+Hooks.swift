import KubeModels

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Gate hooks inside a plan. A hook is started by the transition that reaches its gate, runs in
/// the controller's background while the release waits (status.hooks shows it `Running`), and its
/// outcome arrives in a later snapshot: a pass lets the transition go on, a failure reverts.
extension PlanBuilder {
    /// Whether the gate `name` lets the release of `green` go on; starts the hook when it is
    /// reached. Gates are open on a first revision (nothing to revert to).
    mutating func gatePassed(_ name: HookName, green: String) -> Bool {
        guard let hook = rollout.spec.hooks?[name], status.activeRevision != nil else { return true }
        var hooks = status.hooks ?? []
        guard let index = hooks.firstIndex(where: { $0.name == name && $0.revision == green }) else {
            hooks.append(HookStatus(name: name, revision: green, phase: .running, startedAt: now))
            status.hooks = hooks
            call(name, hook, green: green)
            return false
        }
        switch hooks[index].phase {
        case .passed: return true
        case .failed: return false
        case .running:
            let deadline = Timestamp(hooks[index].startedAt.date.addingTimeInterval(Double(Self.budgetSeconds(of: hook))))
            if now >= deadline {
                let message = "\(name.rawValue) hook: no answer within \(DurationText.format(Self.budgetSeconds(of: hook)))"
                hooks[index].phase = .failed
                hooks[index].finishedAt = now
                hooks[index].message = message
                status.hooks = hooks
                hookFailure = AbortStatus(reason: name.failureReason, message: message)
                return false
            }
            // Called again at every look: a controller that restarted has no call running.
            call(name, hook, green: green)
            wake(at: deadline)
            return false
        }
    }

    /// Records the snapshot's hook outcomes for the running hooks of the current green; a
    /// failure sets ``hookFailure`` so the transition reverts.
    mutating func ingestHookResults() {
        guard let green = status.greenRevision, var hooks = status.hooks else { return }
        for result in snapshot.hookResults where result.revision == green {
            guard let index = hooks.firstIndex(where: { $0.name == result.name && $0.revision == green }),
                hooks[index].phase == .running
            else { continue }
            hooks[index].phase = result.passed ? .passed : .failed
            hooks[index].finishedAt = result.at
            hooks[index].attempts = result.attempts
            hooks[index].message = result.message
            let attempts = result.attempts == 1 ? "1 attempt" : "\(result.attempts) attempts"
            if result.passed {
                record(.hookPassed(result.name, message: result.message))
            } else if rollout.spec.hooks?[result.name]?.job != nil {
                hookFailure = AbortStatus(reason: result.name.failureReason, message: "\(result.name.rawValue) gate: \(result.message)")
            } else {
                hookFailure = AbortStatus(
                    reason: result.name.failureReason, message: "\(result.name.rawValue) hook failed after \(attempts): \(result.message)")
            }
        }
        status.hooks = hooks
    }

    /// Whether green may exist: no `preRelease` gate, a first revision (no gate is called for
    /// one), or the gate passed for green.
    func preReleasePassed(_ green: String) -> Bool {
        guard rollout.spec.hooks?.preRelease != nil, status.activeRevision != nil else { return true }
        return status.hooks?.contains { $0.name == .preRelease && $0.revision == green && $0.phase == .passed } == true
    }

    /// The running hook of the current green, for the status line.
    var runningHook: HookStatus? {
        status.hooks?.first { $0.phase == .running && $0.revision == status.greenRevision }
    }

    private mutating func call(_ name: HookName, _ hook: GateHook, green: String) {
        let namespace = rollout.metadata.namespace ?? ""
        let preview = rollout.spec.services.preview
        let previewURL = preview.map { service -> String in
            let port = snapshot.services[service]?.spec?.ports?.first?.port
            return "http://\(service).\(namespace).svc.cluster.local" + (port.map { $0 == 80 ? "" : ":\($0)" } ?? "")
        }
        let payload = HookPayload(
            hook: name, rollout: self.name, namespace: namespace, revision: green, blueRevision: status.activeRevision,
            images: Self.images(of: rollout.spec.template), activeService: rollout.spec.services.active,
            previewService: preview, previewURL: previewURL)
        hookCalls[name] = HookCall(name: name, hook: hook, payload: payload, job: hook.job.map { makeGateJob(name, $0, hook: hook, green: green) })
    }

    /// The Job of a Job gate: named for the Rollout, revision and gate, labelled and owned like
    /// the Rollout's Deployments, failing on its own past the gate's `timeout`.
    func makeGateJob(_ name: HookName, _ gate: JobGate, hook: GateHook, green: String) -> Job {
        makeJob(
            JobGate.jobName(rollout: self.name, revision: green, hook: name), green: green, label: (CutoverLabels.hook, name.rawValue),
            template: gate.template, backoffLimit: gate.backoffLimit, deadlineSeconds: hook.timeoutSeconds)
    }

    /// The longest a hook can take with all its attempts and the waits between them, plus a
    /// minute of grace for a controller restart in between.
    static func budgetSeconds(of hook: GateHook) -> Int64 {
        let attempts = Int64(hook.attempts)
        var waits: Int64 = 0
        for attempt in 1..<max(1, Int(attempts)) { waits += GateHook.retryDelaySeconds(afterAttempt: attempt) }
        return attempts * hook.timeoutSeconds + waits + 60
    }
}

extension HookName {
    /// The revert reason of a failed hook.
    var failureReason: String {
        switch self {
        case .preRelease: "PreReleaseHookFailed"
        case .preCutover: "PreCutoverHookFailed"
        case .postCutover: "PostCutoverHookFailed"
        }
    }
}
