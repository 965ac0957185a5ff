import KubeModels

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One planning pass of a group: reads the members, evolves `status`, collects the selector
/// patches. The group decides (barriers, waves, revert) in its status; members read it (see
/// `PlanBuilder+Group`) and say where they wait in their `status.group`.
struct GroupPlanBuilder {
    let snapshot: GroupSnapshot
    let now: Timestamp
    let oldStatus: ReleaseGroupStatus
    var status: ReleaseGroupStatus
    /// The members by name.
    let members: [String: Rollout]
    var events: [RolloutEvent] = []
    var patches: [ServiceSelectorPatch] = []
    var wakeups: [Timestamp] = []
    var invalidErrors: [ValidationError] = []
    var pending = PendingActions()

    var group: ReleaseGroup { snapshot.group }
    var name: String { group.metadata.name ?? "" }

    init(snapshot: GroupSnapshot, now: Date) {
        self.snapshot = snapshot
        self.now = Timestamp(Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down)))
        oldStatus = snapshot.group.status ?? ReleaseGroupStatus()
        status = oldStatus
        var byName: [String: Rollout] = [:]
        for member in snapshot.members { byName[member.metadata.name ?? ""] = member }
        members = byName
    }

    mutating func run() {
        status.observedGeneration = group.metadata.generation
        ingestDeliveries()
        invalidErrors = group.validate()
        guard invalidErrors.isEmpty else {
            if status.phase != .invalidSpec {
                events.append(RolloutEvent(type: "Warning", reason: "InvalidSpec", message: invalidErrors.map(\.description).joined(separator: "; ")))
            }
            return
        }
        readPendingActions()
        track()
        // A few passes, so barriers whose members all wait already open in this plan.
        for _ in 0..<6 {
            let before = status
            advance()
            if status == before { break }
        }
        planPatches()
        acknowledgeActions()
    }

    mutating func finish() -> GroupPlan {
        finishStatus()
        let requeue = wakeups.min().map { max(0, $0.date.timeIntervalSince(now.date)) }
        return GroupPlan(status: status, patches: patches, event: RolloutEvent.folding(events), requeueAfter: requeue, outcome: outcome)
    }

    /// How the release in flight when the plan began ended, if it did.
    var outcome: ReleaseEnding? {
        guard let before = oldStatus.release, before.outcome == nil, let after = status.release, after.revision == before.revision
        else { return nil }
        switch after.outcome {
        case .promoted?: return .promoted(revision: after.revision)
        case .rolledBack?: return .reverted(revision: after.revision, reason: status.abort?.reason ?? "RolledBack")
        default: return nil
        }
    }

    // MARK: Actions

    mutating func readPendingActions() {
        pending = (status.acknowledgedActions ?? AcknowledgedActions()).pending(in: group.metadata.annotations ?? [:])
    }

    /// Records every action annotation's current value; a group has no promote-full, so one is
    /// only acknowledged (and reported as ignored).
    mutating func acknowledgeActions() {
        let acknowledged = (status.acknowledgedActions ?? AcknowledgedActions()).acknowledging(group.metadata.annotations ?? [:])
        if acknowledged != AcknowledgedActions() || status.acknowledgedActions != nil {
            status.acknowledgedActions = acknowledged
        }
        if pending.promote || pending.promoteFull || pending.abort || pending.retry {
            events.append(RolloutEvent(reason: "ActionIgnored", message: "an action annotation had nothing to act on in phase \(phase.rawValue)"))
        }
    }

    // MARK: Members

    /// The members releasing beside a blue (a first revision is not held), as release members.
    var inFlight: [GroupReleaseMember] {
        snapshot.members.sorted { ($0.metadata.name ?? "") < ($1.metadata.name ?? "") }.compactMap { rollout in
            guard let status = rollout.status, let green = status.greenRevision, let blue = status.activeRevision else { return nil }
            let name = rollout.metadata.name ?? ""
            return GroupReleaseMember(name: name, revision: green, blueRevision: blue, wave: wave(of: name))
        }
    }

    /// Members whose new template waits at their promotion gate (`spec.promotion`), by name: the
    /// release waits for them at its first barrier, so the group ships all its changed members or
    /// none (see docs/promotion.md).
    var awaitingPromotion: [Rollout] {
        snapshot.members.filter { $0.status?.phase == .awaitingPromotion }.sorted { ($0.metadata.name ?? "") < ($1.metadata.name ?? "") }
    }

    /// The wave `member` cuts over in: its wave in `spec.waves`, else one after the last.
    func wave(of member: String) -> Int32 {
        let waves = group.spec.waves ?? []
        return Int32(waves.firstIndex { $0.contains(member) } ?? waves.count)
    }

    /// The status of `member`'s Rollout while it still releases `member.revision`.
    func releasing(_ member: GroupReleaseMember) -> RolloutStatus? {
        guard let status = members[member.name]?.status, status.greenRevision == member.revision else { return nil }
        return status
    }

    /// Canary steps of `member`'s Rollout.
    func steps(of member: GroupReleaseMember) -> Int { members[member.name]?.spec.strategy?.canary?.steps.count ?? 0 }

    // MARK: Start, restart, revert

    /// Starts, restarts or reverts the group release from what the members did.
    mutating func track() {
        guard let release = status.release, release.outcome == nil else { return startIfChanged() }
        if let cause = release.revertCause(members: members, abortRequested: pending.abort) {
            pending.abort = false
            return revert(cause)
        }
        // Nothing was decided yet and a member's source refused its version: it will not come.
        if release.barrier == .greenReady,
            let refused = awaitingPromotion.first(where: { $0.status?.promotion?.reason == "RolledBack" }), let name = refused.metadata.name
        {
            return revert(
                AbortStatus(
                    reason: "PromotionRefused", member: name,
                    message: "\(name): \(refused.status?.promotion?.message ?? "its promotion source rolled the version back")"))
        }
        let current = joining(release)
        guard Set(current.map(\.pair)) != Set(release.members.map(\.pair)) else { return }
        guard !current.isEmpty else {
            // Every changed member's newer template waits at its gate: nothing is left to release.
            record(.superseded(by: "templates waiting at their promotion gates"))
            status.release?.outcome = .superseded
            status.release?.barrier = nil
            status.release?.step = nil
            return
        }
        // Before the first barrier opened nothing was decided: the members a pipeline applies one
        // after another join the release in flight instead of restarting it each time.
        if release.barrier == .greenReady { amend(release, with: current) } else { restart(with: current, replacing: release) }
    }

    /// The members in flight that belong in `release`: its own, and those whose release started
    /// since it did (a new template). A Rollout labelled into the group while its own release was
    /// already running joins the next group release instead.
    func joining(_ release: GroupRelease) -> [GroupReleaseMember] {
        let own = Set(release.members.map(\.name))
        let started = release.members.compactMap { members[$0.name]?.status?.releaseStartedAt }.min()
        return inFlight.filter { member in
            guard !own.contains(member.name), let started, let since = members[member.name]?.status?.releaseStartedAt else { return true }
            return since >= started
        }
    }

    /// The release at its first barrier takes in the members in flight now.
    mutating func amend(_ release: GroupRelease, with current: [GroupReleaseMember]) {
        let revision = Self.revision(of: current)
        if var history = status.history, let last = history.indices.last, history[last].revision == release.revision,
            history[last].outcome == nil
        {
            history[last].revision = revision
            history[last].images = current.map(\.pair)
            status.history = history
        }
        status.release?.revision = revision
        status.release?.members = current
    }

    /// With no release in flight: a member with a new template starts one, once the members of
    /// the last release have finished it (a straggler must see how its release ended).
    mutating func startIfChanged() {
        let current = inFlight
        guard let ended = status.release else {
            if !current.isEmpty { start(current) }
            return
        }
        let stragglers = ended.members.contains { releasing($0) != nil }
        if ended.retried == true {
            // Every member of the retried release is released again before the new one starts.
            guard ended.members.allSatisfy({ members[$0.name] == nil || members[$0.name]?.status?.greenRevision != nil }) else { return }
            if !current.isEmpty { start(current) }
            return
        }
        if pending.retry, ended.outcome == .rolledBack, !stragglers {
            pending.retry = false
            status.release?.retried = true
            events.append(RolloutEvent(reason: "Retry", message: "releasing \(ended.members.map(\.pair).joined(separator: ", ")) again"))
            return
        }
        guard !stragglers, !current.isEmpty else { return }
        start(current)
    }

    /// Opens a release and its record. `Started` is stated once the members are known: when the
    /// first barrier opens (members applied one after another join until then), or when the
    /// release ends before it.
    mutating func start(_ members: [GroupReleaseMember]) {
        pending.promote = false
        var release = GroupRelease(revision: Self.revision(of: members), startedAt: now, members: members)
        release.barrier = .greenReady
        status.release = release
        status.abort = nil
        var journal = self.journal
        journal.open(ReleaseRecord(revision: release.revision, images: members.map(\.pair), startedAt: now))
        status.history = journal.history
    }

    /// States `Started` for the release in flight, unless its record already has it.
    mutating func announceStart() {
        guard let release = status.release, status.history?.last?.timeline.contains(where: { $0.type == .started }) != true else { return }
        record(.started(members: release.members))
    }

    /// A member got a newer template, or another member joined: the release starts again from
    /// the first barrier; members that already cut over keep serving green.
    mutating func restart(with current: [GroupReleaseMember], replacing old: GroupRelease) {
        let carried = current.map { member -> GroupReleaseMember in
            var member = member
            member.cutoverAt = old.members.first { $0.pair == member.pair }?.cutoverAt
            return member
        }
        record(.superseded(by: Self.revision(of: carried)))
        start(carried)
    }

    /// Every changed member goes back to blue: the group patches the active Services (in
    /// ``planPatches()``), each member reverts its green when it reads the outcome.
    mutating func revert(_ cause: AbortStatus) {
        announceStart()
        var cause = cause
        cause.at = now
        status.abort = cause
        status.release?.outcome = .rolledBack
        status.release?.barrier = nil
        status.release?.step = nil
        record(.rolledBack(cause))
    }

    /// The release's name: a hash of its members' names and green revisions.
    static func revision(of members: [GroupReleaseMember]) -> String {
        TemplateHash.of(canonicalJSON: members.map(\.pair).sorted().joined(separator: ","))
    }

    mutating func wake(at time: Timestamp) { wakeups.append(time) }
}

extension GroupReleaseMember {
    /// `name=revision`.
    var pair: String { "\(name)=\(revision)" }
}
