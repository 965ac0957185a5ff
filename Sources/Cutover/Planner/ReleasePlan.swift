#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The output of ``planNextStep(for:now:)``: what to do, the status to write, when to look again.
public struct ReleasePlan: Sendable, Hashable {
    /// Actions to execute in order.
    public var actions: [ReleaseAction]
    /// The complete new status; write it (status subresource) after the actions succeeded.
    public var status: RolloutStatus
    /// Plan again after this many seconds even if nothing changes; `nil` when only a change of the
    /// Rollout, its Deployments or Services can move it on.
    public var requeueAfter: Double?
    /// How the release in flight when this plan began ended in it, if it did: promoted, or
    /// reverted and why. Nil when no release ended, and for a first revision (there was no blue to
    /// promote over or revert to). Count it once the status is written.
    public var outcome: ReleaseEnding?

    /// A plan of `actions`, then `status`; look again after `requeueAfter` seconds.
    public init(actions: [ReleaseAction], status: RolloutStatus, requeueAfter: Double?, outcome: ReleaseEnding? = nil) {
        self.actions = actions
        self.status = status
        self.requeueAfter = requeueAfter
        self.outcome = outcome
    }
}
