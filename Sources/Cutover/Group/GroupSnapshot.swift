import KubeModels

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What the controller observed about one ReleaseGroup: the input of ``planGroup(for:now:)``.
public struct GroupSnapshot: Sendable, Hashable {
    /// The group as read, with the status the planner wrote last.
    public var group: ReleaseGroup
    /// Its members: the Rollouts of its namespace labelled `cutover.dev/group: <its name>`.
    public var members: [Rollout]
    /// The members' active Services, by name (a missing one is not patched by the group).
    public var services: [String: Service]
    /// Notifications delivered (or given up) since the last plan.
    public var deliveries: [NotificationDelivery]

    public init(group: ReleaseGroup, members: [Rollout], services: [String: Service] = [:], deliveries: [NotificationDelivery] = []) {
        self.group = group
        self.members = members
        self.services = services
        self.deliveries = deliveries
    }
}

/// The output of ``planGroup(for:now:)``: the status to write, then the selector patches to send.
public struct GroupPlan: Sendable, Hashable {
    /// The complete new status. Write it first: the patches carry out decisions it records, so a
    /// member that sees a patched Service also sees why.
    public var status: ReleaseGroupStatus
    /// Active Service selector patches of members, to send in parallel once the status is written.
    public var patches: [ServiceSelectorPatch]
    /// The Event to record on the group: all this plan decided, folded (``RolloutEvent/folding(_:)``).
    public var event: RolloutEvent?
    /// Plan again after this many seconds even if nothing changes.
    public var requeueAfter: Double?
    /// How the group release in flight when the plan began ended in it, if it did (its revision,
    /// and the reason of the cause for a revert). Count it once the status is written.
    public var outcome: ReleaseEnding?
}

/// Decides the next step of a group release from the members' statuses. Pure: the same snapshot
/// and `now` always give the same plan.
public func planGroup(for snapshot: GroupSnapshot, now: Date) -> GroupPlan {
    var builder = GroupPlanBuilder(snapshot: snapshot, now: now)
    builder.run()
    return builder.finish()
}
