import KubeModels

/// A gate hook of the current release, as kept in `status.hooks`.
public struct HookStatus: Codable, Sendable, Hashable {
    public var name: HookName
    /// The green revision it gates.
    public var revision: String
    public var phase: HookPhase
    public var startedAt: Timestamp
    public var finishedAt: Timestamp?
    /// Attempts made, once it finished.
    public var attempts: Int32?
    /// The answer (status code and the start of the body) or the error of the last attempt.
    public var message: String?

    public init(name: HookName, revision: String, phase: HookPhase, startedAt: Timestamp) {
        self.name = name
        self.revision = revision
        self.phase = phase
        self.startedAt = startedAt
    }
}

/// Where a gate hook is.
public enum HookPhase: String, Codable, Sendable, Hashable {
    /// Called; no final answer yet (the release waits).
    case running = "Running"
    case passed = "Passed"
    case failed = "Failed"
}

/// A hook to call now (``ReleaseAction/callHook(_:)``); its outcome comes back as a ``HookResult``.
/// Calling it again while it runs does nothing; after a controller restart it is called again, so
/// hooks must be safe to repeat (smoke tests are).
public struct HookCall: Sendable, Hashable {
    public var name: HookName
    public var hook: GateHook
    /// What the hook is told.
    public var payload: HookPayload

    public init(name: HookName, hook: GateHook, payload: HookPayload) {
        self.name = name
        self.hook = hook
        self.payload = payload
    }
}

/// The JSON body POSTed to a gate hook.
public struct HookPayload: Codable, Sendable, Hashable {
    public var hook: HookName
    public var rollout: String
    public var namespace: String
    /// Green: the revision about to get (or just given) all traffic.
    public var revision: String
    /// Blue: the revision serving before this release.
    public var blueRevision: String?
    public var images: [String]
    public var activeService: String
    public var previewService: String?
    /// `http://<preview>.<namespace>.svc.cluster.local[:port]`: green only, for smoke tests.
    public var previewURL: String?

    public init(
        hook: HookName, rollout: String, namespace: String, revision: String, blueRevision: String?, images: [String],
        activeService: String, previewService: String?, previewURL: String?
    ) {
        self.hook = hook
        self.rollout = rollout
        self.namespace = namespace
        self.revision = revision
        self.blueRevision = blueRevision
        self.images = images
        self.activeService = activeService
        self.previewService = previewService
        self.previewURL = previewURL
    }
}

/// The final outcome of a ``HookCall``, passed to the next plan in ``ReleaseSnapshot/hookResults``.
public struct HookResult: Sendable, Hashable {
    public var name: HookName
    public var revision: String
    public var passed: Bool
    public var attempts: Int32
    /// `HTTP 503: <start of the body>` or the transport error of the last attempt.
    public var message: String
    public var at: Timestamp

    public init(name: HookName, revision: String, passed: Bool, attempts: Int32, message: String, at: Timestamp) {
        self.name = name
        self.revision = revision
        self.passed = passed
        self.attempts = attempts
        self.message = message
        self.at = at
    }
}
