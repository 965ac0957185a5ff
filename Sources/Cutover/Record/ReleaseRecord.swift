import KubeModels

/// One release of a Rollout as kept in `status.history`: what was shipped, by whom, how it went.
/// Appended when a release starts, closed when it ends; the newest last, at most
/// `spec.releaseHistoryLimit` of them.
public struct ReleaseRecord: Codable, Sendable, Hashable {
    /// The revision released.
    public var revision: String
    /// The revision serving when it started; nil for a first revision.
    public var blueRevision: String?
    /// True for a rollback to a recently released revision (`spec.rollbackWindow`).
    public var rollback: Bool?
    /// `container=image` of every init container, then every container, of the template.
    public var images: [String]
    /// Who changed the template: the field manager that last wrote `spec.template` (from
    /// `metadata.managedFields`), when the API server says.
    public var startedBy: String?
    /// When the release started.
    public var startedAt: Timestamp
    /// When it ended; nil while it runs.
    public var endedAt: Timestamp?
    /// Nil while the release runs.
    public var outcome: Outcome?
    /// Why it ended the way it did (`AnalysisBreach`, `PreCutoverHookFailed`, `Aborted`, …).
    public var reason: String?
    /// A human explanation of the end.
    public var message: String?
    /// What happened, oldest first (at most ``ReleaseRecord/timelineLimit``).
    public var timeline: [ReleaseEvent]
    /// The last measurement of every metric when the release ended.
    public var measurements: [FinalMeasurement]?
    /// The gate hooks of the release as they ended (`status.hooks` keeps only the current ones).
    public var hooks: [HookStatus]?
    /// Where the release was verified before it started (with `spec.promotion`), or the override.
    public var promotion: PromotionStatus?

    /// Entries kept in one record's timeline; the oldest after `Started` go first.
    public static let timelineLimit = 16

    public init(
        revision: String, blueRevision: String? = nil, rollback: Bool? = nil, images: [String] = [], startedBy: String? = nil,
        startedAt: Timestamp, timeline: [ReleaseEvent] = []
    ) {
        self.revision = revision
        self.blueRevision = blueRevision
        self.rollback = rollback
        self.images = images
        self.startedBy = startedBy
        self.startedAt = startedAt
        self.timeline = timeline
    }
}

extension ReleaseRecord {
    /// How a release ended.
    public enum Outcome: String, Codable, Sendable, Hashable {
        /// Green became the active revision.
        case promoted = "Promoted"
        /// Reverted: a breach, a failed hook, the progress deadline, an abort, or the template set back.
        case rolledBack = "RolledBack"
        /// A newer template replaced it before it finished.
        case superseded = "Superseded"
    }
}

/// The kinds of release events: the timeline of a ``ReleaseRecord`` and what notifications send.
public enum ReleaseEventType: String, Codable, Sendable, Hashable, CaseIterable {
    /// A release started (green is being created).
    case started = "Started"
    /// Green receives a canary step's share of traffic.
    case stepReached = "StepReached"
    /// The release waits for a promote action.
    case awaitingApproval = "AwaitingApproval"
    /// A gate hook answered 2xx.
    case hookPassed = "HookPassed"
    /// The active Service switched to green.
    case cutOver = "CutOver"
    /// Green is the active revision; the release is over.
    case completed = "Completed"
    /// The release was reverted to blue.
    case rolledBack = "RolledBack"
    /// A newer template replaced the release.
    case superseded = "Superseded"
}

/// One thing that happened in a release.
public struct ReleaseEvent: Codable, Sendable, Hashable {
    /// When it happened.
    public var at: Timestamp
    /// What kind of event.
    public var type: ReleaseEventType
    /// What happened, in one line.
    public var message: String
    /// A CamelCase reason for ends and approvals (`AnalysisBreach`, `ManualApproval`).
    public var reason: String?
    /// The canary step (1-based) for `StepReached`.
    public var step: Int32?
    /// Percent of traffic green receives from this event on.
    public var weight: Int32?
    /// The metric that breached, for `RolledBack` by analysis.
    public var metric: String?
    /// The value that breached.
    public var value: Double?
    /// The limit it crossed.
    public var limit: Double?

    public init(
        at: Timestamp, type: ReleaseEventType, message: String, reason: String? = nil, step: Int32? = nil,
        weight: Int32? = nil, metric: String? = nil, value: Double? = nil, limit: Double? = nil
    ) {
        self.at = at
        self.type = type
        self.message = message
        self.reason = reason
        self.step = step
        self.weight = weight
        self.metric = metric
        self.value = value
        self.limit = limit
    }
}

/// The last judged measurement of one metric in a release.
public struct FinalMeasurement: Codable, Sendable, Hashable {
    /// The metric.
    public var metric: String
    /// When it was measured.
    public var at: Timestamp
    /// Green's value (nil when there was no data or an error).
    public var value: Double?
    /// Blue's value, for metrics with a baseline.
    public var baseline: Double?
    /// How it was judged.
    public var verdict: Verdict
    /// Breaches counted in the release.
    public var breaches: Int32

    public init(metric: String, at: Timestamp, value: Double?, baseline: Double?, verdict: Verdict, breaches: Int32) {
        self.metric = metric
        self.at = at
        self.value = value
        self.baseline = baseline
        self.verdict = verdict
        self.breaches = breaches
    }
}
