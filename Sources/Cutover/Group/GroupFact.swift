import KubeModels

/// One thing that happened to a group release, stated once (as ``ReleaseFact`` is for a
/// Rollout): its Kubernetes Event, its timeline entry (which the outbox also sends) and, when it
/// ends the release, how the record closes.
enum GroupFact: Hashable {
    /// A group release of `members` started.
    case started(members: [GroupReleaseMember])
    /// The release was replaced by `by` (a member's template changed, or a member joined).
    case superseded(by: String)
    /// Every member may run canary step `step` (1-based) of `steps`.
    case stepReached(step: Int, steps: Int)
    /// Every member is ready to cut over; the group waits for a promote.
    case awaitingApproval(members: Int)
    /// Wave `wave` (1-based) of `of` switched: `members`' active Services select green.
    case cutOver(wave: Int, of: Int, members: [String])
    /// Every member's green is its active revision.
    case completed(members: [GroupReleaseMember])
    /// Every changed member went back to blue, for `cause`.
    case rolledBack(AbortStatus)

    var kubernetesEvent: RolloutEvent {
        switch self {
        case .started: RolloutEvent(reason: "ReleaseStarted", message: message)
        case .superseded: RolloutEvent(reason: "Superseded", message: message)
        case .stepReached: RolloutEvent(reason: "StepStarted", message: message)
        case .awaitingApproval: RolloutEvent(reason: "AwaitingApproval", message: message)
        case .cutOver: RolloutEvent(reason: "CutOver", message: message)
        case .completed: RolloutEvent(reason: "Promoted", message: message)
        case .rolledBack: RolloutEvent(type: "Warning", reason: "RolledBack", message: message)
        }
    }

    var message: String {
        switch self {
        case .started(let members):
            "releasing \(members.count) member\(members.count == 1 ? "" : "s"): \(Self.list(members.map(\.pair)))"
        case .superseded(let revision):
            "superseded by \(revision): a member's template changed or a member joined"
        case .stepReached(let step, let steps):
            "step \(step)/\(steps): the members run canary step \(step)"
        case .awaitingApproval(let count):
            "waiting for cutover.dev/promote: all \(count) members are ready to cut over"
        case .cutOver(let wave, let waves, let members):
            "wave \(wave)/\(waves) cut over: \(Self.list(members))"
        case .completed(let members):
            "\(members.count) member\(members.count == 1 ? "" : "s") promoted"
        case .rolledBack(let cause):
            "rolled back: \(cause.message ?? cause.reason)"
        }
    }

    func timelineEntry(at now: Timestamp) -> ReleaseEvent {
        switch self {
        case .started: ReleaseEvent(at: now, type: .started, message: message)
        case .superseded: ReleaseEvent(at: now, type: .superseded, message: message, reason: "Superseded")
        case .stepReached(let step, _): ReleaseEvent(at: now, type: .stepReached, message: message, step: Int32(step))
        case .awaitingApproval: ReleaseEvent(at: now, type: .awaitingApproval, message: message, reason: "ManualApproval")
        case .cutOver(let wave, _, _): ReleaseEvent(at: now, type: .cutOver, message: message, step: Int32(wave), weight: 100)
        case .completed: ReleaseEvent(at: now, type: .completed, message: message)
        case .rolledBack(let cause):
            ReleaseEvent(
                at: now, type: .rolledBack, message: message, reason: cause.reason, metric: cause.metric, value: cause.value,
                limit: cause.limit)
        }
    }

    /// How the fact closes the record, if it ends the release.
    var closing: (outcome: ReleaseRecord.Outcome, reason: String?)? {
        switch self {
        case .superseded: (.superseded, "Superseded")
        case .completed: (.promoted, "Promoted")
        case .rolledBack(let cause): (.rolledBack, cause.reason)
        case .started, .stepReached, .awaitingApproval, .cutOver: nil
        }
    }

    /// At most four names, then how many more.
    static func list(_ names: [String]) -> String {
        names.count <= 4 ? names.joined(separator: ", ") : names.prefix(3).joined(separator: ", ") + " and \(names.count - 3) more"
    }
}

extension GroupPlanBuilder {
    /// States `fact` once: a Kubernetes Event on the group, the record's timeline and outbox entry,
    /// the record's opening or closing.
    mutating func record(_ fact: GroupFact) {
        var journal = self.journal
        events.append(fact.kubernetesEvent)
        guard let release = status.release else { return }
        journal.append(fact.timelineEntry(at: now), revision: release.revision)
        if let closing = fact.closing {
            journal.close(revision: release.revision, outcome: closing.outcome, reason: closing.reason, message: fact.message)
        }
        status.history = journal.history
        status.notifications = journal.outbox
        events += journal.warnings
    }

    /// The group's record and outbox.
    var journal: ReleaseJournal {
        ReleaseJournal(
            history: status.history, outbox: status.notifications, targets: group.spec.notifications ?? [],
            historyLimit: Int(group.spec.releaseHistoryLimit ?? ResolvedSpec.Defaults.releaseHistoryLimit), now: now)
    }

    /// Takes the finished deliveries off the outbox.
    mutating func ingestDeliveries() {
        var journal = self.journal
        journal.ingest(snapshot.deliveries)
        status.notifications = journal.outbox
        events += journal.warnings
    }
}
