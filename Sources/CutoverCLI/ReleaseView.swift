import Cutover
import KubeModels

/// Everything `kubectl cutover get` shows about one release, in one value: rendered as a tree for
/// people (``TreeRenderer``) or encoded as JSON/YAML for scripts (`-o json|yaml`). Built from the
/// Rollout, its revision Deployments and its Services by ``ReleaseView/init(rollout:deployments:services:now:)``.
public struct ReleaseView: Codable, Sendable, Hashable {
    /// The Rollout's name.
    public var name: String
    /// The Rollout's namespace.
    public var namespace: String
    /// The phase, `Unknown` before the controller wrote any status.
    public var phase: String
    /// The controller's one-line message.
    public var message: String?
    /// `metadata.generation`: the spec the user wrote last.
    public var generation: Int64?
    /// The generation the status was computed from; behind `generation` until the controller acts.
    public var observedGeneration: Int64?
    /// Whether `cutover.dev/paused` is `"true"`.
    public var paused: Bool
    /// Percent of traffic meant for green.
    public var weight: Int32
    /// `Blue`, `Split` or `Green`: where the active Service's revision key points.
    public var traffic: String?
    /// The canary step in progress, if any.
    public var step: Step?
    /// Blue: the revision serving when no release is in flight.
    public var activeRevision: String?
    /// The revision being released.
    public var greenRevision: String?
    /// The revision reverted last, not retried until the template changes or a retry.
    public var rolledBackRevision: String?
    /// Why the release waits, in `AwaitingApproval`.
    public var approvalReason: String?
    /// When blue is scaled down, in `HoldWindow`.
    public var holdUntil: Timestamp?
    /// Seconds left in the hold window at the time the view was built.
    public var holdRemainingSeconds: Int64?
    /// Why the last release was reverted.
    public var abort: AbortStatus?
    /// Every revision with a Deployment, blue and green first.
    public var revisions: [Revision]
    /// The active and preview Services and what they select.
    public var services: [ServiceTarget]
    /// Per metric: the threshold and the recent measurements of the current (or last) release.
    public var analysis: [Metric]
    /// The release score of the current (or last) analysis window.
    public var score: ReleaseScore?
    /// The gate hooks of the release in flight (or of the revision reverted last), from `status.hooks`.
    public var hooks: [Hook]
    /// The promotion gate (`spec.promotion`) of the revision waiting at it or released now:
    /// `3f9c2b7a1d waiting for staging/payment: soaked 12m of 30m`, `verified in staging/payment`.
    public var promotion: String?

    /// A canary step: 1-based position, its weight and pause.
    public struct Step: Codable, Sendable, Hashable {
        /// 1-based position of the step.
        public var number: Int
        /// How many steps there are.
        public var of: Int
        /// Percent of traffic for green in this step.
        public var weight: Int32
        /// The step's minimum time at this weight.
        public var pauseSeconds: Int64
        /// Seconds of the pause left, once green reached the step's size.
        public var pauseRemainingSeconds: Int64?
    }

    /// One revision and its Deployment.
    public struct Revision: Codable, Sendable, Hashable {
        /// The template hash (`cutover.dev/revision`).
        public var revision: String
        /// `blue`, `green`, `rolled-back` or `old`.
        public var role: String
        /// The Deployment's name.
        public var deployment: String
        /// The pod template's container images, in order.
        public var images: [String]
        /// `spec.replicas` of the Deployment.
        public var replicas: Int32
        /// Ready pods, as the Deployment's status reports them.
        public var readyReplicas: Int32
        /// When the Deployment was created (the revision's first release).
        public var created: Timestamp?
    }

    /// A Service and the revision its `cutover.dev/revision` key selects.
    public struct ServiceTarget: Codable, Sendable, Hashable {
        /// The Service's name.
        public var name: String
        /// `active` or `preview`.
        public var role: String
        /// Whether the Service exists.
        public var exists: Bool
        /// The selected revision; `nil` with `exists` means the key is absent (traffic split by ready pods).
        public var selects: String?
    }

    /// A gate hook (`preCutover`, `postCutover`): running, passed or failed.
    public struct Hook: Codable, Sendable, Hashable {
        /// `preRelease`, `preCutover` or `postCutover`.
        public var name: String
        /// `Running`, `Passed` or `Failed`.
        public var phase: String
        /// When it was first called.
        public var startedAt: Timestamp
        /// When its final answer came.
        public var finishedAt: Timestamp?
        /// Attempts made, once it finished.
        public var attempts: Int32?
        /// The last answer (`HTTP 500: <start of the body>`) or error.
        public var message: String?
        /// Seconds it has been running at the time the view was built; nil once finished.
        public var runningSeconds: Int64?
    }

    /// One metric's threshold and recent results.
    public struct Metric: Codable, Sendable, Hashable {
        /// The metric's name in the spec.
        public var name: String
        /// `max 0.01`, `min 10`, `+25% vs blue`.
        public var threshold: String
        /// Breaches counted in this release.
        public var breaches: Int32
        /// Breaches tolerated before a revert.
        public var failureLimit: Int32
        /// The kept measurements of this release, oldest first.
        public var measurements: [MeasurementRecord]
    }
}
