import KubeModels

/// What the controller observed about one Rollout: the input of ``planNextStep(for:now:)``.
public struct ReleaseSnapshot: Sendable, Hashable {
    /// The Rollout as read, with the status the planner wrote last.
    public var rollout: Rollout
    /// The Deployments owned by the Rollout (others are ignored by the planner).
    public var deployments: [Deployment]
    /// The Services named by `spec.services`, by name; a missing name means the Service does not exist.
    public var services: [String: Service]
    /// Measurements taken since the last plan, in the order they were taken.
    public var measurements: [Measurement]
    /// Gate hooks that finished since the last plan.
    public var hookResults: [HookResult]
    /// Notifications delivered (or given up) since the last plan.
    public var deliveries: [NotificationDelivery]
    /// The ReleaseGroup the Rollout's `cutover.dev/group` label names, as cached; nil when there
    /// is no label or no such group (a member then waits at the first barrier).
    public var group: ReleaseGroup?
    /// The Rollouts of the members of that group's release in flight (`status.release.members`),
    /// by name, as cached; one no longer labelled into the group is left out. A member reads from
    /// them a revert its group has not recorded yet; nil: not read (it waits for the record).
    public var groupMembers: [String: Rollout]?
    /// The sources of `spec.promotion` as read for the last ``ReleaseAction/checkPromotion(_:)``,
    /// once that check finished.
    public var promotion: PromotionEvidence?
    /// The Rollout's Services that another Rollout claims (`cutover.dev/managed-by`) and still
    /// names in its spec, by Service name: that Rollout. A claim by a Rollout that is gone, or that
    /// no longer names the Service, is free to take.
    public var claimedBy: [String: String]
    /// The spec's validation, resolution and template hash, kept by the controller per generation
    /// (``SpecFacts``); nil: the plan computes them.
    public var specFacts: SpecFacts?

    public init(
        rollout: Rollout, deployments: [Deployment] = [], services: [String: Service] = [:],
        measurements: [Measurement] = [], hookResults: [HookResult] = [], deliveries: [NotificationDelivery] = [],
        group: ReleaseGroup? = nil, groupMembers: [String: Rollout]? = nil, promotion: PromotionEvidence? = nil, claimedBy: [String: String] = [:],
        specFacts: SpecFacts? = nil
    ) {
        self.rollout = rollout
        self.deployments = deployments
        self.services = services
        self.measurements = measurements
        self.hookResults = hookResults
        self.deliveries = deliveries
        self.group = group
        self.groupMembers = groupMembers
        self.promotion = promotion
        self.claimedBy = claimedBy
        self.specFacts = specFacts
    }
}
