import KubeModels

/// A gate hook of the current release, as kept in `status.hooks`.
public struct HookStatus: Codable, Sendable, Hashable {
    /// Which gate.
    public var name: HookName
    /// The green revision it gates.
    public var revision: String
    /// Running, passed or failed.
    public var phase: HookPhase
    /// When the gate was reached and the hook first called.
    public var startedAt: Timestamp
    /// When its outcome arrived (or its budget ran out).
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
    /// Which gate.
    public var name: HookName
    /// The hook as the spec defines it (URL or Secret, timeout, retries).
    public var hook: GateHook
    /// What the hook is told.
    public var payload: HookPayload
    /// For a Job gate: the Job to run (made by the plan; created once per release).
    public var job: Job?

    public init(name: HookName, hook: GateHook, payload: HookPayload, job: Job? = nil) {
        self.name = name
        self.hook = hook
        self.payload = payload
        self.job = job
    }
}

/// The JSON body POSTed to a gate hook.
public struct HookPayload: Codable, Sendable, Hashable {
    /// Which gate: `preRelease`, `preCutover` or `postCutover`.
    public var hook: HookName
    /// The Rollout's name.
    public var rollout: String
    /// The Rollout's namespace.
    public var namespace: String
    /// Green: the revision about to get (or just given) all traffic.
    public var revision: String
    /// Blue: the revision serving before this release.
    public var blueRevision: String?
    /// `container=image` of green's containers.
    public var images: [String]
    /// The Service that carries production traffic.
    public var activeService: String
    /// The Service that selects green once it is ready, if the spec names one.
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
    /// Which gate.
    public var name: HookName
    /// The green revision it gated.
    public var revision: String
    /// Whether it answered 2xx.
    public var passed: Bool
    /// Attempts made.
    public var attempts: Int32
    /// `HTTP 503: <start of the body>` or the transport error of the last attempt.
    public var message: String
    /// When it finished.
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
