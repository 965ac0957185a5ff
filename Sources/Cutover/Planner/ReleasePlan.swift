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

    public init(actions: [ReleaseAction], status: RolloutStatus, requeueAfter: Double?) {
        self.actions = actions
        self.status = status
        self.requeueAfter = requeueAfter
    }
}
