/// Webhooks that gate the cutover: smoke tests and external checks. A hook passes with a 2xx
/// answer; one that still fails after its retries reverts the release with its answer as the
/// reason. Not called for a Rollout's first revision (there is nothing to revert to).
public struct RolloutHooks: Codable, Sendable, Hashable {
    /// Called once green is ready at full size, before the active Service switches to it; the
    /// preview Service already selects green, so the hook can test it there.
    public var preCutover: GateHook?
    /// Called right after the active Service switched to green, while blue is still at full size;
    /// blue is not scaled down (and the release not completed) until it passes.
    public var postCutover: GateHook?

    public init(preCutover: GateHook? = nil, postCutover: GateHook? = nil) {
        self.preCutover = preCutover
        self.postCutover = postCutover
    }

    /// The configured hook named `name`.
    public subscript(name: HookName) -> GateHook? {
        switch name {
        case .preCutover: preCutover
        case .postCutover: postCutover
        }
    }
}

/// The two gate points of a release.
public enum HookName: String, Codable, Sendable, Hashable, CaseIterable {
    case preCutover
    case postCutover
}

/// One gate webhook: where to POST and how patiently.
public struct GateHook: Codable, Sendable, Hashable {
    /// The URL to POST to, `http://` or `https://`; exactly one of `url` and `urlSecret`.
    public var url: String?
    /// A Secret key holding the URL, for URLs that carry a token.
    public var urlSecret: SecretKeyReference?
    /// How long one attempt may take (default `30s`).
    public var timeout: String?
    /// Attempts after the first one that failed (default 2); 1 s, 2 s, 4 s … apart, at most 30 s.
    public var retries: Int32?

    public init(url: String? = nil, urlSecret: SecretKeyReference? = nil, timeout: String? = nil, retries: Int32? = nil) {
        self.url = url
        self.urlSecret = urlSecret
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

    /// Attempts in all: `retries` + 1.
    public var attempts: Int { Int(max(0, retries ?? Defaults.retries)) + 1 }

    /// Seconds to wait after failed attempt `attempt` (1-based): 1, 2, 4 … at most 30.
    public static func retryDelaySeconds(afterAttempt attempt: Int) -> Int64 { min(30, Int64(1) << min(max(attempt, 1) - 1, 5)) }
}
