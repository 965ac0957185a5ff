import KubeModels

/// The level-triggered selector patches, and the summary parts of the status: phase, members,
/// the `kubectl get` columns, the message and the conditions.
extension GroupPlanBuilder {
    /// The active Services the group's decisions need switched and that do not select what they
    /// should yet: a member whose wave cut over, onto green; after a revert, a member still
    /// releasing, back onto blue. Level-triggered from the Services, so a decision written just
    /// before the controller died is still carried out, and nothing is sent twice. A cutover is
    /// carried out only until the member's own status says it serves green: from then on the
    /// Service is the member's, and a member reverting by itself (an abort, a breach), which
    /// switches back to blue before it writes its status, is never switched onto green again.
    mutating func planPatches() {
        guard let release = status.release else { return }
        for member in release.members {
            guard let rollout = members[member.name], let own = releasing(member) else { continue }
            let name = rollout.spec.services.active
            // Only a Service the member claimed (docs/rollout-reference.md#one-rollout-per-service).
            guard let service = snapshot.services[name], service.metadata.annotations?[CutoverLabels.managedBy] == member.name else { continue }
            let selected = service.spec?.selector?[CutoverLabels.revision]
            switch release.outcome {
            case nil where member.cutoverAt != nil && selected != member.revision && own.traffic != .green:
                patches.append(ServiceSelectorPatch(service: name, revision: member.revision))
            case .rolledBack? where selected != member.blueRevision:
                patches.append(ServiceSelectorPatch(service: name, revision: member.blueRevision))
            default:
                break
            }
        }
    }

    var phase: ReleaseGroupPhase {
        guard invalidErrors.isEmpty else { return .invalidSpec }
        guard let release = status.release else { return .healthy }
        switch release.outcome {
        case .rolledBack?: return .rolledBack
        case .promoted?, .superseded?: return .healthy
        case nil: break
        }
        switch release.barrier ?? .greenReady {
        case .greenReady: return .progressing
        case .step: return .canary
        case .cutover:
            if group.spec.manualApproval, release.approved != true {
                if release.members.allSatisfy(readyForApproval) { return .awaitingApproval }
                return maxSteps > 0 ? .canary : .cuttingOver
            }
            return .cuttingOver
        case .completion: return .holdWindow
        }
    }

    /// The members not yet at the barrier the release waits at.
    var notReady: [GroupReleaseMember] {
        guard let release = status.release, release.outcome == nil, let barrier = release.barrier else { return [] }
        return release.members.filter { member in
            switch barrier {
            case .greenReady: !reachedGreenReady(member)
            case .step:
                steps(of: member) > Int(release.step ?? 0) && !passed(step: Int(release.step ?? 0), member)
            case .cutover:
                if group.spec.manualApproval, release.approved != true { !readyForApproval(member) }
                else { member.cutoverAt == nil && releasing(member)?.group?.waitingAt != .cutover }
            case .completion: releasing(member)?.group?.waitingAt != .completion
            }
        }
    }

    mutating func finishStatus() {
        let sorted = snapshot.members.sorted { ($0.metadata.name ?? "") < ($1.metadata.name ?? "") }
        status.members = sorted.map { rollout in
            let memberStatus = rollout.status
            return GroupMemberView(
                name: rollout.metadata.name ?? "", revision: memberStatus?.greenRevision ?? memberStatus?.activeRevision,
                phase: memberStatus?.phase?.rawValue, waitingAt: memberStatus?.group?.waitingAt)
        }
        status.phase = phase
        if let cutOver = status.release?.members.filter({ $0.cutoverAt != nil }), !cutOver.isEmpty {
            status.release?.wavesCutOver = Int32(Set(cutOver.map(\.wave)).count)
        }
        let release = status.release
        let inFlight = release?.outcome == nil ? release : nil
        let waiting = notReady
        if let inFlight {
            status.ready = "\(inFlight.members.count - waiting.count)/\(inFlight.members.count)"
        } else {
            // Serving a settled revision: Healthy, or RolledBack to blue.
            let settled = sorted.filter { $0.status?.phase == .healthy || $0.status?.phase == .rolledBack }
            status.ready = "\(settled.count)/\(sorted.count)"
        }
        status.step = stepText(inFlight)
        status.message = message(inFlight, waiting: waiting.map(\.name))
        setConditions()
    }

    func stepText(_ release: GroupRelease?) -> String? {
        guard let release, let barrier = release.barrier else { return nil }
        switch barrier {
        case .greenReady: return "greens ready"
        case .step: return "canary step \((release.step ?? 0) + 1)/\(maxSteps)"
        case .cutover:
            if status.phase == .awaitingApproval { return "approval" }
            let waves = Set(release.members.map(\.wave)).count
            return "wave \(release.wavesCutOver ?? 0)/\(waves)"
        case .completion: return "hold until \(release.holdUntil?.description ?? "-")"
        }
    }

    /// The line for `kubectl get`; `waiting` are the members not yet at the barrier.
    func message(_ release: GroupRelease?, waiting: [String]) -> String {
        if let error = invalidErrors.first {
            return error.description + (invalidErrors.count > 1 ? " (and \(invalidErrors.count - 1) more)" : "")
        }
        guard let release else {
            if let ended = status.release, ended.outcome == .rolledBack {
                return "rolled back: \(status.abort?.message ?? status.abort?.reason ?? "-")"
            }
            let count = snapshot.members.count
            return "\(count) member\(count == 1 ? "" : "s"), no release in flight"
        }
        let who = GroupFact.list(waiting)
        switch release.barrier ?? .greenReady {
        case .greenReady:
            let gated = awaitingPromotion.compactMap(\.metadata.name)
            if gated.isEmpty { return "waiting for the greens of \(who)" }
            return (waiting.isEmpty ? "" : "waiting for the greens of \(who); ") + "waiting for the promotion gate of \(GroupFact.list(gated))"
        case .step: return "waiting for \(who) to pass step \((release.step ?? 0) + 1)"
        case .cutover:
            if status.phase == .awaitingApproval { return "all \(release.members.count) members ready; waiting for cutover.dev/promote" }
            return waiting.isEmpty ? "switching the active Services" : "waiting for \(who) to be ready at full size"
        case .completion:
            if let holdUntil = release.holdUntil, now < holdUntil { return "holding blue until \(holdUntil)" }
            return waiting.isEmpty ? "holding blue until \(release.holdUntil?.description ?? "-")" : "waiting for \(who) to pass their checks after cutover"
        }
    }

    mutating func setConditions() {
        var conditions = ConditionList(previous: oldStatus.conditions, now: now, generation: group.metadata.generation)
        func set(_ type: String, _ value: Bool, _ reason: String, _ message: String) { conditions.set(type, value, reason, message) }
        let release = status.release
        let inFlight = release != nil && release?.outcome == nil
        set("Progressing", inFlight, inFlight ? "ReleaseInProgress" : "NoReleaseInFlight",
            inFlight ? "releasing \(release!.revision) (\(status.phase?.rawValue ?? "-"))" : "no release in flight")
        // As a Rollout's: nothing in flight and every member serves its template (a first deploy
        // of the members included).
        let everyMemberServes = snapshot.members.allSatisfy { member in
            member.status?.phase == .healthy && member.status?.greenRevision == nil
                && member.status?.observedGeneration == member.metadata.generation
        }
        let completed = (release == nil || release?.outcome == .promoted) && everyMemberServes && invalidErrors.isEmpty
        set("Completed", completed, completed ? "ReleaseComplete" : (status.phase?.rawValue ?? "-"),
            completed ? "every member serves its template" : "a member is releasing, reverted or not settled yet")
        let rolledBack = status.phase == .rolledBack
        set("RolledBack", rolledBack, rolledBack ? (status.abort?.reason ?? "RolledBack") : "NotRolledBack",
            rolledBack ? (status.abort?.message ?? "") : "")
        if invalidErrors.isEmpty {
            set("InvalidSpec", false, "Valid", "the spec is valid")
        } else {
            set("InvalidSpec", true, "InvalidField", invalidErrors.map(\.description).joined(separator: "; "))
        }
        status.conditions = conditions.conditions
    }
}
