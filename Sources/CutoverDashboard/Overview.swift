import Cutover
import KubeModels

/// The dashboard's first page: every Rollout and ReleaseGroup the feed holds, in the order of
/// `kubectl cutover list -A` (namespace, release group, name). Sent whole to the page on every
/// change; the page filters and searches it.
public struct Overview: Codable, Sendable, Hashable {
    /// One Rollout.
    public struct Row: Codable, Sendable, Hashable {
        public var namespace: String
        public var name: String
        /// Its release group (`cutover.dev/group`), if any.
        public var group: String?
        /// The phase, `Pending` before the controller wrote any status.
        public var phase: String
        public var paused: Bool
        /// Percent of traffic meant for green.
        public var weight: Int32
        public var activeRevision: String?
        public var greenRevision: String?
        /// `2/3 at 50%` while in a canary step.
        public var step: String?
        public var message: String?
        public var created: Timestamp?
        /// When the release in flight started.
        public var releaseStarted: Timestamp?
        /// kstatus `Ready` is True: the template's revision serves and nothing is in flight.
        public var ready: Bool
    }

    /// One ReleaseGroup.
    public struct Group: Codable, Sendable, Hashable {
        public var namespace: String
        public var name: String
        public var phase: String
        public var step: String?
        /// `3/15 ready`.
        public var ready: String?
        public var message: String?
        public var created: Timestamp?
    }

    public var rollouts: [Row]
    public var groups: [Group]
    /// What could not be read and why (RBAC refusals, an unreachable API server).
    public var notices: [String]

    public init(_ snapshot: FeedSnapshot) {
        rollouts = snapshot.rollouts.map(Row.init).sorted { ($0.namespace, $0.group ?? "", $0.name) < ($1.namespace, $1.group ?? "", $1.name) }
        groups = snapshot.groups.map(Group.init).sorted { ($0.namespace, $0.name) < ($1.namespace, $1.name) }
        notices = snapshot.notices
    }
}

extension Overview.Row {
    init(_ rollout: Rollout) {
        let status = rollout.status
        namespace = rollout.metadata.namespace ?? ""
        name = rollout.metadata.name ?? ""
        group = rollout.metadata.labels?[CutoverLabels.group]
        phase = status?.phase?.rawValue ?? "Pending"
        paused = rollout.metadata.annotations?[CutoverLabels.paused] == "true"
        weight = status?.weight ?? 0
        activeRevision = status?.activeRevision
        greenRevision = status?.greenRevision
        if status?.phase == .canary, let index = status?.currentStepIndex {
            let steps = rollout.spec.strategy?.canary?.steps ?? []
            if Int(index) < steps.count { step = "\(index + 1)/\(steps.count) at \(steps[Int(index)].weight)%" }
        }
        message = status?.message
        created = rollout.metadata.creationTimestamp
        releaseStarted = status?.greenRevision == nil ? nil : status?.releaseStartedAt
        ready = status?.conditions?.first { $0.type == "Ready" }?.status == "True"
    }
}

extension Overview.Group {
    init(_ group: ReleaseGroup) {
        namespace = group.metadata.namespace ?? ""
        name = group.metadata.name ?? ""
        phase = group.status?.phase?.rawValue ?? "Pending"
        step = group.status?.step
        ready = group.status?.ready
        message = group.status?.message
        created = group.metadata.creationTimestamp
    }
}
