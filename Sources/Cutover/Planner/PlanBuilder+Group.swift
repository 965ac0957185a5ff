import KubeModels

/// A member of a ReleaseGroup (label `cutover.dev/group`): its release is held at each barrier
/// until its group opens it, and reverted when the group reverts. The group decides in its own
/// status (``GroupRelease``); the member only reads it, and says in `status.group` where it waits.
/// See docs/release-groups.md.
extension PlanBuilder {
    /// The group named by the label, if the Rollout is a member.
    var groupName: String? {
        guard let name = rollout.metadata.labels?[CutoverLabels.group], !name.isEmpty else { return nil }
        return name
    }

    /// Whether this release is held by a group: a member releasing beside a blue (a first
    /// revision has nothing to protect and comes up on its own).
    var grouped: Bool { groupName != nil && status.activeRevision != nil }

    /// The group's release that holds this member's `green`, and this member's entry in it.
    func groupRelease(holding green: String) -> (release: GroupRelease, member: GroupReleaseMember)? {
        guard let group = snapshot.group, group.metadata.name == groupName, let release = group.status?.release,
            let member = release.members.first(where: { $0.name == name && $0.revision == green })
        else { return nil }
        return (release, member)
    }

    /// Whether the group lets the member pass `barrier` (`step`: the canary step index, for
    /// ``GroupBarrier/step``). Always true outside a group.
    func groupOpens(_ barrier: GroupBarrier, step: Int = 0, green: String) -> Bool {
        guard grouped else { return true }
        guard let (release, member) = groupRelease(holding: green) else { return false }
        if release.outcome == .promoted { return true }
        guard release.outcome == nil, let at = release.barrier else { return false }
        let approved = !(snapshot.group?.spec.manualApproval ?? false) || release.approved == true
        switch barrier {
        case .greenReady:
            return at != .greenReady
        case .step:
            // The last step is held until the whole group is past its steps (and approved), so
            // an approval is waited for at canary size, as a single Rollout waits.
            if step + 1 >= steps.count { return (at == .cutover || at == .completion) && approved }
            return at == .cutover || at == .completion || (at == .step && Int(release.step ?? 0) > step)
        case .cutover:
            return member.cutoverAt != nil
        case .completion:
            return false
        }
    }

    /// Holds the member at `barrier` and says so in `status.group`.
    mutating func waitForGroup(at barrier: GroupBarrier, step: Int? = nil) {
        status.group?.waitingAt = barrier
        status.group?.step = step.map { Int32($0) }
    }

    /// Why the group reverts the release of `green`, if it does: `GroupReverted`, naming the cause.
    /// The group's status records it; until that record is seen, the cause is read from the
    /// members as the group reads it (``GroupRelease/revertCause(members:abortRequested:)``): the
    /// group sends a revert's selector patches before that record.
    func groupRevert(of green: String) -> AbortStatus? {
        guard grouped, let group = snapshot.group, let (release, _) = groupRelease(holding: green) else { return nil }
        let cause: AbortStatus?
        switch release.outcome {
        case .rolledBack? where release.retried != true:  // retried: this green is the retry
            cause = group.status?.abort
        case nil:
            guard let members = snapshot.groupMembers,
                let unrecorded = release.revertCause(members: members, abortRequested: group.abortRequested)
            else { return nil }
            cause = unrecorded
        default:
            return nil
        }
        let groupName = group.metadata.name ?? ""
        return AbortStatus(
            reason: "GroupReverted", member: cause?.member, metric: cause?.metric, value: cause?.value, limit: cause?.limit,
            message: "group \(groupName) reverted: \(cause?.message ?? cause?.reason ?? "no cause given")")
    }

    /// Whether the group promoted the release of `green` (every member waits to complete it).
    func groupPromoted(_ green: String) -> Bool {
        grouped && groupRelease(holding: green)?.release.outcome == .promoted
    }

    /// Whether the group asked its rolled-back members to release `revision` again (retry).
    func groupRetries(_ revision: String) -> Bool {
        guard groupName != nil, let release = snapshot.group?.status?.release, release.retried == true else { return false }
        return release.outcome == .rolledBack && release.members.contains { $0.name == name && $0.revision == revision }
    }

    /// Whether the member's active Service selects `revision`, or there is none to switch. The
    /// group switches its members' active Services itself, all in one go, at a wave's cutover and
    /// at a revert; a member takes the step once it sees its Service switched, so it never sends
    /// the same patch, and its own requests do not queue in front of the group's.
    func groupSwitched(to revision: String) -> Bool {
        currentKey(of: rollout.spec.services.active).map { $0 == revision } ?? true
    }

    /// The cutover time the group gave this member's wave, once it switched it.
    func groupCutover(of green: String) -> Timestamp? {
        grouped ? groupRelease(holding: green)?.member.cutoverAt : nil
    }
}
