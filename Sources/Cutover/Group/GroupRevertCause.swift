import KubeModels

extension GroupRelease {
    /// Why this release, in flight, must revert now: an abort asked of the group
    /// (`abortRequested`), or what its members did; nil while nothing calls for it. `members` are
    /// the group's Rollouts by name, as cached (a Rollout no longer labelled into the group is not
    /// one). Promotion gates are not read here: a release they refuse has switched no Service yet
    /// (see `GroupPlanBuilder.track()`).
    ///
    /// The group decides with it, and so does each member: the group sends a revert's selector
    /// patches before the status write that records it, so a member may see its Service back
    /// on blue before it sees that record, and must not put its canary back meanwhile (see
    /// `PlanBuilder.groupRevert(of:)`). The chaos checker reads it too, to know from when no member
    /// may serve the reverted green.
    public func revertCause(members: [String: Rollout], abortRequested: Bool) -> AbortStatus? {
        guard outcome == nil else { return nil }
        if abortRequested {
            return AbortStatus(reason: "Aborted", message: "aborted by the cutover.dev/abort annotation on the group")
        }
        for member in self.members {
            guard let rollout = members[member.name], let memberStatus = rollout.status else {
                return AbortStatus(
                    reason: "MemberRemoved", member: member.name, revision: member.revision,
                    message: "\(member.name) left the group mid-release (deleted, or its cutover.dev/group label changed)")
            }
            // Releasing it (or a newer template: the release restarts), or serving it.
            if memberStatus.greenRevision != nil || memberStatus.activeRevision == member.revision { continue }
            // Its newer template waits at its promotion gate: the release starts again without
            // it, and it joins once the gate opens.
            if memberStatus.phase == .awaitingPromotion { continue }
            if let abort = memberStatus.abort, abort.revision == member.revision {
                var cause = abort
                cause.member = member.name
                cause.message = "\(member.name): \(abort.message ?? abort.reason)"
                return cause
            }
            return AbortStatus(
                reason: "TemplateSetBackToBlue", member: member.name, revision: member.revision,
                message: "\(member.name): template set back to \(member.blueRevision)")
        }
        return nil
    }
}

extension ReleaseGroup {
    /// Whether `cutover.dev/abort` on the group asks for an abort not acknowledged yet.
    public var abortRequested: Bool {
        (status?.acknowledgedActions ?? AcknowledgedActions()).pending(in: metadata.annotations ?? [:]).abort
    }
}
