import KubeModels

extension RolloutSpec {
    /// The largest `releaseHistoryLimit`: status is rewritten on every step, so it stays small.
    public static let maxReleaseHistoryLimit: Int32 = 20

    /// Problems with `hooks`, `notifications` and `releaseHistoryLimit`.
    func validateIntegrations(_ fail: (String, String) -> Void) {
        if let limit = releaseHistoryLimit, !(1...Self.maxReleaseHistoryLimit).contains(limit) {
            fail("spec.releaseHistoryLimit", "must be between 1 and \(Self.maxReleaseHistoryLimit), not \(limit)")
        }
        for name in HookName.allCases {
            if let hook = hooks?[name] { Self.validateHook(hook, at: "spec.hooks.\(name.rawValue)", fail) }
        }
        Self.validateNotifications(notifications ?? [], fail)
    }

    /// Problems with notification targets (a Rollout's or a ReleaseGroup's `spec.notifications`).
    static func validateNotifications(_ targets: [NotificationTarget], _ fail: (String, String) -> Void) {
        var seen: Set<String> = []
        for (index, target) in targets.enumerated() {
            let path = "spec.notifications[\(index)]"
            if !Self.isDNSLabel(target.name) {
                fail("\(path).name", "must be lower-case letters, digits and '-', starting with a letter, not \"\(target.name)\"")
            } else if !seen.insert(target.name).inserted {
                fail("\(path).name", "\"\(target.name)\" is used by an earlier target")
            }
            Self.validateSecretKey(target.urlSecret, at: "\(path).urlSecret", fail)
            if let format = target.format, NotificationTarget.Format(rawValue: format) == nil {
                fail("\(path).format", "must be JSON or Slack, not \"\(format)\"")
            }
            for (eventIndex, event) in (target.events ?? []).enumerated() where ReleaseEventType(rawValue: event) == nil {
                let known = ReleaseEventType.allCases.map(\.rawValue).joined(separator: ", ")
                fail("\(path).events[\(eventIndex)]", "unknown event \"\(event)\"; known: \(known)")
            }
            Self.validateTimeout(target.timeout, at: "\(path).timeout", fail)
        }
    }

    static func validateHook(_ hook: GateHook, at path: String, _ fail: (String, String) -> Void) {
        switch [hook.url != nil, hook.urlSecret != nil, hook.job != nil].count(where: { $0 }) {
        case 0: fail(path, "must set url, urlSecret or job")
        case 1: break
        default: fail(path, "must set only one of url, urlSecret and job")
        }
        if let url = hook.url, !url.hasPrefix("http://"), !url.hasPrefix("https://") {
            fail("\(path).url", "must start with http:// or https://, not \"\(url)\"")
        }
        if let secret = hook.urlSecret { validateSecretKey(secret, at: "\(path).urlSecret", fail) }
        if let job = hook.job { validateJobTemplate(job.template, backoffLimit: job.backoffLimit, at: "\(path).job", fail) }
        validateTimeout(hook.timeout, at: "\(path).timeout", longest: hook.job == nil ? 600 : JobGate.longestTimeoutSeconds, fail)
        if let retries = hook.retries, !(0...10).contains(retries) { fail("\(path).retries", "must be between 0 and 10, not \(retries)") }
    }

    /// A Job's pod template (a gate's or a metric's) and backoff limit.
    static func validateJobTemplate(_ template: PodTemplateSpec, backoffLimit: Int32?, at path: String, _ fail: (String, String) -> Void) {
        if (template.spec?["containers"]?.arrayValue ?? []).isEmpty {
            fail("\(path).template.spec.containers", "must list at least one container")
        }
        let restart = template.spec?["restartPolicy"]?.stringValue
        if restart != "Never", restart != "OnFailure" {
            fail("\(path).template.spec.restartPolicy", "must be Never or OnFailure (a Job's pods end), not \(restart.map { "\"\($0)\"" } ?? "unset")")
        }
        if let limit = backoffLimit, !(0...10).contains(limit) { fail("\(path).backoffLimit", "must be between 0 and 10, not \(limit)") }
    }

    static func validateSecretKey(_ reference: SecretKeyReference, at path: String, _ fail: (String, String) -> Void) {
        if reference.name.isEmpty { fail("\(path).name", "must name a Secret in the same namespace") }
        if reference.key.isEmpty { fail("\(path).key", "must name a key of the Secret") }
    }

    static func validateTimeout(_ timeout: String?, at path: String, longest: Int64 = 600, _ fail: (String, String) -> Void) {
        guard let timeout else { return }
        guard let seconds = DurationText.seconds(timeout) else {
            return fail(path, "must be a duration like 5s or 1m, not \"\(timeout)\"")
        }
        if !(1...longest).contains(seconds) { fail(path, "must be between 1s and \(DurationText.format(longest))") }
    }
}
