import Cutover
import KubeModels

extension ReleaseGroupView {
    /// The view of a group and its members as `snapshot` saw them. A member's phase, revisions and
    /// barrier come from its own Rollout when there is one (the newest word), else from the
    /// group's `status.members` and `status.release`.
    public init(_ snapshot: ObservedGroup) {
        let group = snapshot.group
        let status = group.status ?? ReleaseGroupStatus()
        name = snapshot.name
        namespace = group.metadata.namespace ?? "-"
        phase = status.phase?.rawValue ?? "Unknown"
        message = status.message
        step = status.step
        ready = status.ready
        generation = group.metadata.generation
        observedGeneration = status.observedGeneration
        approval = group.spec.manualApproval ? "Manual" : "Automatic"
        abort = status.phase == .rolledBack ? status.abort : nil
        let waves = (status.release?.members ?? []).waves
        release = status.release.map { release in
            Release(
                revision: release.revision, startedAt: release.startedAt, barrier: release.barrier?.rawValue,
                step: release.barrier == .step ? release.step.map { Int($0) + 1 } : nil, approved: release.approved,
                waves: waves.count, wavesCutOver: Int(release.wavesCutOver ?? 0), holdUntil: release.holdUntil,
                outcome: release.outcome?.rawValue)
        }
        let released = (status.release?.members ?? []).sorted { ($0.wave, $0.name) < ($1.wave, $1.name) }
        var names = released.map(\.name)
        let others = (status.members ?? []).map(\.name) + snapshot.members.compactMap(\.metadata.name)
        for other in others.sorted() where !names.contains(other) { names.append(other) }
        members = names.map { Self.member($0, snapshot: snapshot, waves: waves) }
    }

    static func member(_ name: String, snapshot: ObservedGroup, waves: [Int32]) -> Member {
        let status = snapshot.group.status ?? ReleaseGroupStatus()
        let rollout = snapshot.member(name)
        let own = rollout?.status
        let listed = status.members?.first { $0.name == name }
        let released = status.release?.members.first { $0.name == name }
        let waitingAt = rollout?.status != nil ? own?.group?.waitingAt : listed?.waitingAt
        var waitingStep: Int?
        if waitingAt == .step, let step = own?.group?.step ?? status.release?.step { waitingStep = Int(step) + 1 }
        return Member(
            name: name, phase: own?.phase?.rawValue ?? listed?.phase ?? "Unknown", found: rollout != nil, listed: listed != nil,
            inRelease: released != nil, wave: released.flatMap { member in waves.firstIndex(of: member.wave).map { $0 + 1 } },
            cutoverAt: released?.cutoverAt, waitingAt: waitingAt?.rawValue, waitingStep: waitingStep,
            traffic: own?.traffic?.rawValue, weight: own?.weight ?? 0,
            revisions: revisions(own: own, listed: listed, released: released, rolledBack: status.release?.outcome == .rolledBack))
    }

    /// The member's revisions from its own status; without one, from what the group recorded.
    static func revisions(own: RolloutStatus?, listed: GroupMemberView?, released: GroupReleaseMember?, rolledBack: Bool) -> [Revision] {
        let roles: [(String?, String)]
        if let own {
            roles = [(own.greenRevision, "green"), (own.activeRevision, "blue"), (own.rolledBackRevision, "rolled-back")]
        } else if let released {
            roles = rolledBack
                ? [(released.blueRevision, "blue"), (released.revision, "rolled-back")]
                : [(released.revision, "green"), (released.blueRevision, "blue")]
        } else {
            roles = [(listed?.revision, "last-seen")]
        }
        return roles.compactMap { revision, role in revision.map { Revision(revision: $0, role: role) } }
    }
}
