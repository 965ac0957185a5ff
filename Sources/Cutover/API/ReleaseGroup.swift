import KubeModels

/// `cutover.dev/v1alpha1` ReleaseGroup: the Rollouts labelled `cutover.dev/group: <name>` in its
/// namespace released as one — every changed member held at each barrier until all reached it,
/// cut over together (in waves if asked), and all reverted when any one of them is. See
/// `docs/release-groups.md`.
public struct ReleaseGroup: KubeObject, Hashable {
    /// Where ReleaseGroups live in the API.
    public static let resource = Resource(
        group: "cutover.dev", version: "v1alpha1", plural: "releasegroups", kind: "ReleaseGroup", namespaced: true)
    /// `cutover.dev/v1alpha1`.
    public var apiVersion: String? = "cutover.dev/v1alpha1"
    /// `ReleaseGroup`.
    public var kind: String? = "ReleaseGroup"
    /// Name, namespace and the action annotations (`cutover.dev/promote`, `abort`, `retry`).
    public var metadata: ObjectMeta
    /// What the user asks for.
    public var spec: ReleaseGroupSpec
    /// Where the group release is; written only by the controller.
    public var status: ReleaseGroupStatus?

    public init(metadata: ObjectMeta, spec: ReleaseGroupSpec = ReleaseGroupSpec(), status: ReleaseGroupStatus? = nil) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }
}

/// How the members are released together.
public struct ReleaseGroupSpec: Codable, Sendable, Hashable {
    /// `Automatic` (default) or `Manual`: hold every member after its last canary step (members
    /// without steps at the cutover barrier) until one `cutover.dev/promote` on the group.
    public var approval: String?
    /// The cutover order: each wave's active Services switch together, a wave once the one before
    /// it serves green. Members named in no wave switch in one last wave; default: all at once.
    public var waves: [[String]]?
    /// Where the group's release events are sent (the same targets and formats as a Rollout's).
    public var notifications: [NotificationTarget]?
    /// Group releases kept in `status.history` (default 5).
    public var releaseHistoryLimit: Int32?
    /// The promotion gate of every member without its own `spec.promotion` (docs/promotion.md).
    public var promotion: PromotionSpec?

    public init(
        approval: String? = nil, waves: [[String]]? = nil, notifications: [NotificationTarget]? = nil,
        releaseHistoryLimit: Int32? = nil, promotion: PromotionSpec? = nil
    ) {
        self.approval = approval
        self.waves = waves
        self.notifications = notifications
        self.releaseHistoryLimit = releaseHistoryLimit
        self.promotion = promotion
    }

    /// Whether `approval` is `Manual`.
    public var manualApproval: Bool { approval == "Manual" }
}

/// Where a group release is. Every decision the group took (which barrier is open, which wave
/// switched when, why it reverted) is here, so a restarted controller continues from it.
public struct ReleaseGroupStatus: Codable, Sendable, Hashable {
    /// Where the group is (see ``ReleaseGroupPhase``).
    public var phase: ReleaseGroupPhase?
    /// One short line for `kubectl get`.
    public var message: String?
    /// The current step, as `kubectl get` shows it (`greens 3/15 ready`, `canary step 2/3`,
    /// `wave 1/3`, `hold until …`).
    public var step: String?
    /// Members at the barrier the group waits at (or serving, when no release runs) over all
    /// members, `ready/total`.
    public var ready: String?
    /// The `metadata.generation` this status was computed from.
    public var observedGeneration: Int64?
    /// Every member, by name.
    public var members: [GroupMemberView]?
    /// The group release in flight, or the last one.
    public var release: GroupRelease?
    /// Why the last group release was reverted: the member, metric, value and limit that caused it.
    public var abort: AbortStatus?
    /// The last group releases, oldest first; the last one is the current release while one runs.
    public var history: [ReleaseRecord]?
    /// Release events waiting to be sent to `spec.notifications`.
    public var notifications: NotificationStatus?
    /// Action annotation values already acted on.
    public var acknowledgedActions: AcknowledgedActions?
    /// `Progressing`, `Completed`, `RolledBack`, `InvalidSpec` (metav1 conditions, for `kubectl wait`).
    public var conditions: [Condition]?

    public init() {}
}

/// The phases of a ReleaseGroup.
public enum ReleaseGroupPhase: String, Codable, Sendable, Hashable, CaseIterable {
    /// No release in flight, or the last one completed.
    case healthy = "Healthy"
    /// The changed members' greens are coming up.
    case progressing = "Progressing"
    /// The members run canary step `release.step`.
    case canary = "Canary"
    /// Every member is ready to cut over; waiting for `cutover.dev/promote` on the group.
    case awaitingApproval = "AwaitingApproval"
    /// The waves' active Services are switching to green.
    case cuttingOver = "CuttingOver"
    /// Every member serves green; blue is held until `release.holdUntil`.
    case holdWindow = "HoldWindow"
    /// The last group release was reverted: every changed member serves blue again.
    case rolledBack = "RolledBack"
    /// The spec is invalid; the group opens no barrier until it is fixed.
    case invalidSpec = "InvalidSpec"
}

/// One member as the group sees it.
public struct GroupMemberView: Codable, Sendable, Hashable {
    /// The Rollout's name.
    public var name: String
    /// Its green revision while it is released, else its active revision.
    public var revision: String?
    /// The Rollout's phase.
    public var phase: String?
    /// The barrier it waits at, if it waits for the group.
    public var waitingAt: GroupBarrier?

    public init(name: String, revision: String? = nil, phase: String? = nil, waitingAt: GroupBarrier? = nil) {
        self.name = name
        self.revision = revision
        self.phase = phase
        self.waitingAt = waitingAt
    }
}

/// The barriers a group holds its changed members at, in release order.
public enum GroupBarrier: String, Codable, Sendable, Hashable, CaseIterable {
    /// Green is ready at its first size.
    case greenReady = "GreenReady"
    /// A canary step passed (its pause and its analysis); `step` says which.
    case step = "Step"
    /// Green is ready at full size and its preCutover hook passed: ready to take all traffic.
    case cutover = "Cutover"
    /// Cut over; its postCutover hook and the analysis since the cutover passed: ready to let blue go.
    case completion = "Completion"
}

/// One group release: the changed members and what the group decided for them.
public struct GroupRelease: Codable, Sendable, Hashable {
    /// A hash of the members' names and green revisions: names the release in history and notifications.
    public var revision: String
    /// When it started (or restarted).
    public var startedAt: Timestamp
    /// The changed members, by name.
    public var members: [GroupReleaseMember]
    /// The barrier the group holds the members at; `nil` once the release ended.
    public var barrier: GroupBarrier?
    /// The canary step (0-based) the members run, at barrier `Step`.
    public var step: Int32?
    /// With `approval: Manual`: true once `cutover.dev/promote` on the group approved the cutover.
    public var approved: Bool?
    /// Waves switched so far.
    public var wavesCutOver: Int32?
    /// When blue may go: the last wave's cutover plus the longest member hold window.
    public var holdUntil: Timestamp?
    /// `Promoted` or `RolledBack` once it ended.
    public var outcome: ReleaseRecord.Outcome?
    /// Set by `cutover.dev/retry` on a rolled-back group: its members release the same revisions again.
    public var retried: Bool?

    public init(revision: String, startedAt: Timestamp, members: [GroupReleaseMember]) {
        self.revision = revision
        self.startedAt = startedAt
        self.members = members
    }
}

/// One changed member of a group release.
public struct GroupReleaseMember: Codable, Sendable, Hashable {
    /// The Rollout's name.
    public var name: String
    /// The green revision the group releases.
    public var revision: String
    /// Its blue: what its active Service goes back to on a revert.
    public var blueRevision: String
    /// The wave (0-based) its active Service switches in.
    public var wave: Int32
    /// When the group switched its active Service to green.
    public var cutoverAt: Timestamp?

    public init(name: String, revision: String, blueRevision: String, wave: Int32, cutoverAt: Timestamp? = nil) {
        self.name = name
        self.revision = revision
        self.blueRevision = blueRevision
        self.wave = wave
        self.cutoverAt = cutoverAt
    }
}

/// A member Rollout's side of its group, in `status.group`.
public struct MemberGroupStatus: Codable, Sendable, Hashable {
    /// The ReleaseGroup (from the `cutover.dev/group` label).
    public var name: String
    /// The barrier the member waits at for the group, if it waits.
    public var waitingAt: GroupBarrier?
    /// The canary step (0-based) passed, at barrier `Step`.
    public var step: Int32?

    public init(name: String, waitingAt: GroupBarrier? = nil, step: Int32? = nil) {
        self.name = name
        self.waitingAt = waitingAt
        self.step = step
    }
}
