import Cutover
import KubeModels

/// Everything `kubectl cutover get group NAME` shows about a ReleaseGroup, in one value: rendered
/// as a tree for people (``GroupTreeRenderer``) or encoded as JSON/YAML for scripts. Built from a
/// ``ObservedGroup`` by ``ReleaseGroupView/init(_:)``.
public struct ReleaseGroupView: Codable, Sendable, Hashable {
    /// The ReleaseGroup's name.
    public var name: String
    /// Its namespace.
    public var namespace: String
    /// The phase, `Unknown` before the controller wrote any status.
    public var phase: String
    /// The controller's one-line message.
    public var message: String?
    /// The current step, as `kubectl get releasegroups` shows it (`canary step 2/3`, `wave 1/3`).
    public var step: String?
    /// Members at the barrier the group waits at (or serving), `ready/total`.
    public var ready: String?
    /// `metadata.generation`: the spec the user wrote last.
    public var generation: Int64?
    /// The generation the status was computed from.
    public var observedGeneration: Int64?
    /// `Automatic` or `Manual`.
    public var approval: String
    /// The group release in flight, or the last one.
    public var release: Release?
    /// Why the last group release was reverted, while the group is `RolledBack`.
    public var abort: AbortStatus?
    /// Every member: those the group lists in `status.members` and the Rollouts labelled for it;
    /// the changed members of the release first, in wave order.
    public var members: [Member]

    /// The group release: what the group decided for its changed members.
    public struct Release: Codable, Sendable, Hashable {
        /// The release's revision (a hash of its members and their green revisions).
        public var revision: String
        /// When it started (or restarted).
        public var startedAt: Timestamp
        /// The barrier the group holds the members at; absent once the release ended.
        public var barrier: String?
        /// At barrier `Step`: the canary step the members run, 1-based.
        public var step: Int?
        /// With `approval: Manual`: whether `cutover.dev/promote` approved the cutover.
        public var approved: Bool?
        /// How many cutover waves the release has.
        public var waves: Int
        /// Waves switched to green so far.
        public var wavesCutOver: Int
        /// When blue may go.
        public var holdUntil: Timestamp?
        /// `Promoted` or `RolledBack` once it ended.
        public var outcome: String?
    }

    /// One member Rollout.
    public struct Member: Codable, Sendable, Hashable {
        /// The Rollout's name.
        public var name: String
        /// The Rollout's phase (the group's view of it when the Rollout is missing), `Unknown` without either.
        public var phase: String
        /// Whether a Rollout of this name is labelled for the group (`false`: deleted or unlabelled).
        public var found: Bool
        /// Whether the group lists it in `status.members` (`false`: joined since the group last looked).
        public var listed: Bool
        /// Whether it is a changed member of the release.
        public var inRelease: Bool
        /// Its cutover wave, 1-based, when in the release.
        public var wave: Int?
        /// When the group switched its active Service to green.
        public var cutoverAt: Timestamp?
        /// The barrier it waits at for the group: `GreenReady`, `Step`, `Cutover` or `Completion`.
        public var waitingAt: String?
        /// At barrier `Step`: the canary step it passed, 1-based.
        public var waitingStep: Int?
        /// `Blue`, `Split` or `Green`: where its active Service's revision key points.
        public var traffic: String?
        /// Percent of its traffic meant for green.
        public var weight: Int32
        /// Its revisions: green and blue while released, the rolled-back one after a revert.
        public var revisions: [Revision]
    }

    /// One revision of a member.
    public struct Revision: Codable, Sendable, Hashable {
        /// The template hash.
        public var revision: String
        /// `green`, `blue`, `rolled-back`, or `last-seen`: what the group recorded of a member whose
        /// Rollout is gone.
        public var role: String
    }
}
