#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The output of ``planNextStep(for:now:)``: what to do, the status to write, when to look again.
///
/// Execute `actions` in order, then write `status`, then execute `afterStatus` in order. What
/// moves production traffic (the active Service) or brings pods up comes first, so the status
/// never claims more than was done; the rest (the preview Service, scale-downs, old revisions
/// deleted) and the Events telling the decision come after, so the decision is recorded (and a
/// group reading it acts) without waiting for them. A controller that dies between the two plans
/// the rest again from the written status: it is level-triggered.
public struct ReleasePlan: Sendable, Hashable {
    /// Actions to execute in order, before the status write.
    public var actions: [ReleaseAction]
    /// The complete new status; write it (status subresource) after the actions succeeded.
    public var status: RolloutStatus
    /// Actions to execute in order once the status is written.
    public var afterStatus: [ReleaseAction]
    /// Plan again after this many seconds even if nothing changes; `nil` when only a change of the
    /// Rollout, its Deployments or Services can move it on.
    public var requeueAfter: Double?
    /// How the release in flight when this plan began ended in it, if it did: promoted, or
    /// reverted and why. Nil when no release ended, and for a first revision (there was no blue to
    /// promote over or revert to). Count it once the status is written.
    public var outcome: ReleaseEnding?

    /// A plan of `actions`, then `status`, then `afterStatus`; look again after `requeueAfter` seconds.
    public init(
        actions: [ReleaseAction], status: RolloutStatus, afterStatus: [ReleaseAction] = [], requeueAfter: Double?,
        outcome: ReleaseEnding? = nil
    ) {
        self.actions = actions
        self.status = status
        self.afterStatus = afterStatus
        self.requeueAfter = requeueAfter
        self.outcome = outcome
    }
}
