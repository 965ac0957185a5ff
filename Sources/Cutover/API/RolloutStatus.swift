import KubeModels

/// Where a Rollout is in its life. Every timing fact lives here (never only in memory), so a
/// controller that restarts at any moment continues exactly where it was. Written only by the
/// planner; times are whole seconds so a JSON round trip changes nothing.
public struct RolloutStatus: Codable, Sendable, Hashable {
    /// Where the release is (see ``RolloutPhase``).
    public var phase: RolloutPhase?
    /// One short line for `kubectl get`.
    public var message: String?
    /// The `metadata.generation` this status was computed from.
    public var observedGeneration: Int64?
    /// Blue: the revision the active Service selects when no release is in flight.
    public var activeRevision: String?
    /// The revision being released, if any.
    public var greenRevision: String?
    /// A revision reverted by a breach, deadline or abort: not tried again until the template
    /// changes or a retry action.
    public var rolledBackRevision: String?
    /// Bumped when a template hash collides with a Deployment of a different template.
    public var collisionCount: Int32?
    /// Which revision the active Service selector points at.
    public var traffic: TrafficRouting?
    /// Index of the current canary step (0-based), while canary steps run.
    public var currentStepIndex: Int32?
    /// Start of the current analysis window: when the current step's weight was reached, or the
    /// cutover. `nil` while green is still scaling to the step.
    public var stepStartedAt: Timestamp?
    /// When green must be fully ready at its current size; set while it is not.
    public var progressDeadline: Timestamp?
    /// When the current release started.
    public var releaseStartedAt: Timestamp?
    /// When green first became fully ready; from then on the preview Service selects green.
    public var greenReadyAt: Timestamp?
    /// When the active Service switched to green.
    public var cutoverAt: Timestamp?
    /// When blue may be scaled down (cutover + holdWindow).
    public var holdUntil: Timestamp?
    /// Percent of traffic green receives by design (0, a step weight, or 100 after cutover).
    public var weight: Int32?
    /// Whether forward progress is paused by the `cutover.dev/paused` annotation.
    public var paused: Bool?
    /// `promote` or `promote-full` when a human promoted the current release.
    public var manualPromotion: String?
    /// Why the release waits in `AwaitingApproval`.
    public var approvalReason: String?
    /// Why the last release was reverted.
    public var abort: AbortStatus?
    /// The promotion gate's judgment of the template (with `spec.promotion`).
    public var promotion: PromotionStatus?
    /// Per-metric analysis state of the current (or last) release.
    public var analysis: [MetricStatus]?
    /// The release score of the current (or last) analysis window.
    public var score: ReleaseScore?
    /// The gate hooks of the current (or last) release.
    public var hooks: [HookStatus]?
    /// The last releases, oldest first; the last one is the current release while one runs.
    public var history: [ReleaseRecord]?
    /// Release events waiting to be sent to `spec.notifications`.
    public var notifications: NotificationStatus?
    /// Action annotation values already acted on.
    public var acknowledgedActions: AcknowledgedActions?
    /// The member's side of its ReleaseGroup (label `cutover.dev/group`): the barrier it waits at.
    public var group: MemberGroupStatus?
    /// The phase to return to once an invalid spec is fixed.
    public var suspendedPhase: RolloutPhase?
    /// `Available`, `Progressing`, `Paused`, `Completed`, `RolledBack`, `InvalidSpec`.
    public var conditions: [Condition]?
    /// Pods of the serving revision, for the scale subresource.
    public var replicas: Int32?
    /// The spec selector as a query string, for the scale subresource.
    public var selector: String?

    public init() {}
}

/// The phases of a Rollout. A release goes Progressing → (Canary) → (AwaitingApproval) →
/// Promoting → HoldWindow → Healthy, or ends in RolledBack.
public enum RolloutPhase: String, Codable, Sendable, Hashable, CaseIterable {
    /// Green is being created or scaled, or the first revision is coming up.
    case progressing = "Progressing"
    /// Green receives a share of traffic for the current step.
    case canary = "Canary"
    /// Waiting for a promote action (manual approval, or inconclusive analysis).
    case awaitingApproval = "AwaitingApproval"
    /// The template waits for `spec.promotion`'s sources to have released it; nothing is created.
    case awaitingPromotion = "AwaitingPromotion"
    /// Green scales to full size before the active Service switches.
    case promoting = "Promoting"
    /// The active Service selects green; blue stays at full size until `holdUntil`.
    case holdWindow = "HoldWindow"
    /// No release in flight; the template is the active revision.
    case healthy = "Healthy"
    /// The last release was reverted; the template stays unreleased.
    case rolledBack = "RolledBack"
    /// Stuck: the first revision missed its deadline, or blue was deleted with no way back.
    case degraded = "Degraded"
    /// The spec is invalid; nothing is touched until it is fixed.
    case invalidSpec = "InvalidSpec"
}

/// What the active Service's `cutover.dev/revision` selector key is meant to be.
public enum TrafficRouting: String, Codable, Sendable, Hashable {
    /// The key selects `activeRevision`.
    case blue = "Blue"
    /// The key is absent: blue's and green's ready pods share traffic by replica count.
    case split = "Split"
    /// The key selects `greenRevision`.
    case green = "Green"
}

/// Why and when a release was reverted.
public struct AbortStatus: Codable, Sendable, Hashable {
    /// `AnalysisBreach`, `AnalysisError`, `ProgressDeadlineExceeded`, `Aborted`, `GreenDeploymentDeleted`,
    /// `PreCutoverHookFailed`, `PostCutoverHookFailed`; `GroupReverted` on a member its group reverted.
    public var reason: String
    /// In a release group: the member whose failure reverted the group.
    public var member: String?
    /// The green revision that was reverted.
    public var revision: String?
    /// The metric that breached, for analysis reverts.
    public var metric: String?
    /// The value that breached.
    public var value: Double?
    /// The limit it crossed.
    public var limit: Double?
    /// A human explanation.
    public var message: String?
    /// When the release was reverted.
    public var at: Timestamp?

    public init(
        reason: String, member: String? = nil, revision: String? = nil, metric: String? = nil, value: Double? = nil,
        limit: Double? = nil, message: String? = nil, at: Timestamp? = nil
    ) {
        self.reason = reason
        self.member = member
        self.revision = revision
        self.metric = metric
        self.value = value
        self.limit = limit
        self.message = message
        self.at = at
    }
}

/// Analysis state of one metric in the current release.
public struct MetricStatus: Codable, Sendable, Hashable {
    /// The metric's name in the spec.
    public var name: String
    /// Breaches in this release (errorLimit consecutive errors count as one).
    public var breaches: Int32
    /// Query errors in a row.
    public var consecutiveErrors: Int32
    /// Inconclusive results in a row.
    public var consecutiveInconclusive: Int32
    /// Breaches in a row (errorLimit consecutive errors count as one; a pass ends the row); nil: 0.
    public var consecutiveBreaches: Int32?
    /// When the newest result was taken; the next is due `interval` later.
    public var lastMeasuredAt: Timestamp?
    /// When the newest passing result was taken.
    public var lastPassAt: Timestamp?
    /// The newest measurements, oldest first, at most ``MetricStatus/historyLimit``.
    public var history: [MeasurementRecord]

    /// How many measurements per metric are kept in status.
    public static let historyLimit = 10

    public init(name: String) {
        self.name = name
        breaches = 0
        consecutiveErrors = 0
        consecutiveInconclusive = 0
        history = []
    }
}

/// How green did in one analysis window (a canary step, or the hold window), 0–100.
public struct ReleaseScore: Codable, Sendable, Hashable {
    /// Each metric's results in the window average Pass 1, Marginal ½ and anything else 0; the
    /// score is the metrics' mean × 100, rounded down.
    public var value: Int32
    /// `value` against `spec.analysis.score`; absent without thresholds.
    public var result: ScoreResult?
    /// When the window began.
    public var since: Timestamp
    /// Each metric's part: `latency 75 (2 Pass, 2 Marginal), errors 100 (4 Pass)`.
    public var message: String

    public init(value: Int32, result: ScoreResult? = nil, since: Timestamp, message: String) {
        self.value = value
        self.result = result
        self.since = since
        self.message = message
    }
}

/// A release score against `spec.analysis.score`.
public enum ScoreResult: String, Codable, Sendable, Hashable, CaseIterable {
    /// At least `pass`: the window may go ahead.
    case pass = "Pass"
    /// At least `marginal`, below `pass`: a human decides.
    case marginal = "Marginal"
    /// Below `marginal`: the release reverts.
    case fail = "Fail"
}

/// One judged measurement, as kept in status.
public struct MeasurementRecord: Codable, Sendable, Hashable {
    /// When the measurement was taken.
    public var at: Timestamp
    /// The green revision measured.
    public var revision: String
    /// The value that breached.
    public var value: Double?
    /// Blue's value, for metrics with a baseline.
    public var baseline: Double?
    /// How the measurement was judged.
    public var verdict: Verdict
    /// Why, for errors and breaches.
    public var message: String?

    public init(
        at: Timestamp, revision: String, value: Double? = nil, baseline: Double? = nil, verdict: Verdict,
        message: String? = nil
    ) {
        self.at = at
        self.revision = revision
        self.value = value
        self.baseline = baseline
        self.verdict = verdict
        self.message = message
    }
}

/// The annotation values of the edge-triggered actions already acted on (or deliberately
/// consumed). An annotation whose value equals the acknowledged one is ignored.
public struct AcknowledgedActions: Codable, Sendable, Hashable {
    /// The last `cutover.dev/promote` value acted on.
    public var promote: String?
    /// The last `cutover.dev/promote-full` value acted on.
    public var promoteFull: String?
    /// The last `cutover.dev/abort` value acted on.
    public var abort: String?
    /// The last `cutover.dev/retry` value acted on.
    public var retry: String?
    /// The last `cutover.dev/promote-unverified` value acted on.
    public var promoteUnverified: String?

    public init(
        promote: String? = nil, promoteFull: String? = nil, abort: String? = nil, retry: String? = nil, promoteUnverified: String? = nil
    ) {
        self.promote = promote
        self.promoteFull = promoteFull
        self.abort = abort
        self.retry = retry
        self.promoteUnverified = promoteUnverified
    }
}
