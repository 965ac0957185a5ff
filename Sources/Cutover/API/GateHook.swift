import KubeModels

/// Webhooks that gate the cutover: smoke tests and external checks. A hook passes with a 2xx
/// answer; one that still fails after its retries reverts the release with its answer as the
/// reason. Not called for a Rollout's first revision (there is nothing to revert to).
public struct RolloutHooks: Codable, Sendable, Hashable {
    /// Run when a release starts, before green is created (a database migration); green is
    /// created only once it passed.
    public var preRelease: GateHook?
    /// Called once green is ready at full size, before the active Service switches to it; the
    /// preview Service already selects green, so the hook can test it there.
    public var preCutover: GateHook?
    /// Called right after the active Service switched to green, while blue is still at full size;
    /// blue is not scaled down (and the release not completed) until it passes.
    public var postCutover: GateHook?

    public init(preRelease: GateHook? = nil, preCutover: GateHook? = nil, postCutover: GateHook? = nil) {
        self.preRelease = preRelease
        self.preCutover = preCutover
        self.postCutover = postCutover
    }

    /// The configured hook named `name`.
    public subscript(name: HookName) -> GateHook? {
        switch name {
        case .preRelease: preRelease
        case .preCutover: preCutover
        case .postCutover: postCutover
        }
    }
}

/// The gate points of a release.
public enum HookName: String, Codable, Sendable, Hashable, CaseIterable {
    case preRelease
    case preCutover
    case postCutover
}

/// One gate: a webhook (where to POST and how patiently) or a Kubernetes Job.
public struct GateHook: Codable, Sendable, Hashable {
    /// The URL to POST to, `http://` or `https://`; exactly one of `url`, `urlSecret` and `job`.
    public var url: String?
    /// A Secret key holding the URL, for URLs that carry a token.
    public var urlSecret: SecretKeyReference?
    /// A Job run for the gate instead: it passes when the Job completes, fails when it fails.
    public var job: JobGate?
    /// How long one attempt may take (default `30s`); for a Job, how long it may run in all
    /// (its `activeDeadlineSeconds`).
    public var timeout: String?
    /// Attempts after the first one that failed (default 2); 1 s, 2 s, 4 s … apart, at most 30 s.
    /// Not for a Job (its `backoffLimit` says how often its pod is retried).
    public var retries: Int32?

    public init(url: String? = nil, urlSecret: SecretKeyReference? = nil, job: JobGate? = nil, timeout: String? = nil, retries: Int32? = nil) {
        self.url = url
        self.urlSecret = urlSecret
        self.job = job
        self.timeout = timeout
        self.retries = retries
    }

    /// The defaults, named so the CRD and the reference doc can be checked against them.
    public enum Defaults {
        /// Default `timeout` of one attempt.
        public static let timeout = "30s"
        /// Default `retries` after the first attempt.
        public static let retries: Int32 = 2
    }

    /// `timeout` in seconds, with the default.
    public var timeoutSeconds: Int64 { DurationText.seconds(timeout ?? Defaults.timeout) ?? 30 }

    /// Attempts in all: `retries` + 1; one for a Job.
    public var attempts: Int { job != nil ? 1 : Int(max(0, retries ?? Defaults.retries)) + 1 }

    /// Seconds to wait after failed attempt `attempt` (1-based): 1, 2, 4 … at most 30.
    public static func retryDelaySeconds(afterAttempt attempt: Int) -> Int64 { min(30, Int64(1) << min(max(attempt, 1) - 1, 5)) }
}

/// A gate run as a Kubernetes Job in the Rollout's namespace, owned by the Rollout and created
/// once per release (named ``JobGate/jobName(rollout:revision:hook:)``), so a restarted
/// controller finds the Job it already created instead of running a migration twice.
public struct JobGate: Codable, Sendable, Hashable {
    /// The Job's pod template, kept verbatim; `restartPolicy` must be `Never` or `OnFailure`.
    public var template: PodTemplateSpec
    /// Pods that may fail before the Job fails (default 0: one attempt).
    public var backoffLimit: Int32?

    /// The longest `timeout` of a Job gate (a migration may take long; a webhook's is 10m).
    public static let longestTimeoutSeconds: Int64 = 6 * 3600

    public init(template: PodTemplateSpec, backoffLimit: Int32? = nil) {
        self.template = template
        self.backoffLimit = backoffLimit
    }

    /// The Job of `hook` for `revision` of `rollout`: `<rollout>-<revision>-<hook>`, the
    /// Rollout's name cut so the whole stays a 63-character label value (`job-name`).
    public static func jobName(rollout: String, revision: String, hook: HookName) -> String {
        let suffix = "-\(revision)-\(hook.jobSuffix)"
        let prefix = String(rollout.prefix(63 - suffix.count))
        return (prefix.hasSuffix("-") ? String(prefix.dropLast()) : prefix) + suffix
    }
}

extension HookName {
    /// The short form in a gate Job's name.
    public var jobSuffix: String {
        switch self {
        case .preRelease: "pre-release"
        case .preCutover: "pre-cutover"
        case .postCutover: "post-cutover"
        }
    }
}
