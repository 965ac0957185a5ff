import KubeModels

/// The release record (`status.history`) and the notification outbox (`status.notifications`).
/// Every release event goes into the current record's timeline and, for the targets that want
/// it, into the outbox, in the same status write that takes the step: a restarted controller
/// finds both exactly as the step left them.
extension PlanBuilder {
    /// States `fact` once: its Kubernetes Event, its entry in the current record's timeline and
    /// in the outbox, the record's closing when it ends the release, and the release's ending.
    mutating func record(_ fact: ReleaseFact) {
        let event = fact.kubernetesEvent
        if fact.kubernetesEventFirst { events.append(event) }
        if case .started(let revision, let blue) = fact { openRecord(revision, blue: blue) }
        appendToTimeline(fact.timelineEntry(at: now))
        if let closing = fact.closing { closeRecord(closing.outcome, reason: closing.reason, message: closing.message) }
        if !fact.kubernetesEventFirst { events.append(event) }
        if let ending = fact.ending { endings.append(ending) }
    }

    /// Opens the record of a release of `revision`; a record of the same revision still open
    /// (a first deploy started again) goes on.
    private mutating func openRecord(_ revision: String, blue: String?) {
        var history = status.history ?? []
        if let last = history.last, last.outcome == nil, last.revision == revision { return }
        if let last = history.indices.last, history[last].outcome == nil {
            history[last].outcome = .superseded
            history[last].endedAt = now
        }
        history.append(
            ReleaseRecord(
                revision: revision, blueRevision: blue, images: Self.images(of: rollout.spec.template),
                startedBy: TemplateAuthor.name(in: rollout.metadata), startedAt: now))
        if history.count > spec.releaseHistoryLimit { history.removeFirst(history.count - spec.releaseHistoryLimit) }
        status.history = history
    }

    /// Adds `event` to the current release's record and to the outbox.
    private mutating func appendToTimeline(_ event: ReleaseEvent) {
        guard let revision = status.greenRevision ?? status.history?.last?.revision else { return }
        if var history = status.history, let last = history.indices.last, history[last].revision == revision, history[last].outcome == nil {
            var timeline = history[last].timeline
            timeline.append(event)
            if timeline.count > ReleaseRecord.timelineLimit { timeline.remove(at: 1) }  // keep `Started`
            history[last].timeline = timeline
            status.history = history
        }
        enqueueNotification(event, revision: revision)
    }

    /// Closes the current release's record with its outcome and the last measurement per metric.
    private mutating func closeRecord(_ outcome: ReleaseRecord.Outcome, reason: String?, message: String) {
        guard var history = status.history, let last = history.indices.last, history[last].outcome == nil,
            history[last].revision == status.greenRevision
        else { return }
        history[last].outcome = outcome
        history[last].endedAt = now
        history[last].reason = reason
        history[last].message = message
        let finals = (status.analysis ?? []).compactMap { state in
            state.history.last.map {
                FinalMeasurement(metric: state.name, at: $0.at, value: $0.value, baseline: $0.baseline, verdict: $0.verdict, breaches: state.breaches)
            }
        }
        history[last].measurements = finals.isEmpty ? nil : finals
        let hooks = (status.hooks ?? []).filter { $0.revision == history[last].revision }
        history[last].hooks = hooks.isEmpty ? nil : hooks
        status.history = history
    }

    /// Puts `event` in the outbox for every target that wants it.
    private mutating func enqueueNotification(_ event: ReleaseEvent, revision: String) {
        let targets = (rollout.spec.notifications ?? []).filter { $0.wants(event.type) }.map(\.name)
        guard !targets.isEmpty else { return }
        var outbox = status.notifications ?? NotificationStatus()
        outbox.lastID += 1
        outbox.pending.append(
            PendingNotification(
                id: outbox.lastID, revision: revision, blueRevision: status.history?.last?.blueRevision, event: event,
                targets: targets))
        if outbox.pending.count > NotificationStatus.pendingLimit {
            let dropped = outbox.pending.removeFirst()
            events.append(RolloutEvent(type: "Warning", reason: "NotificationDropped", message: "notification \(dropped.id) (\(dropped.event.type.rawValue)) dropped undelivered: more than \(NotificationStatus.pendingLimit) waiting"))
        }
        status.notifications = outbox
    }

    /// Takes the snapshot's finished deliveries off the outbox; targets no longer in the spec are
    /// dropped too, so nothing waits for a receiver that was removed.
    mutating func ingestDeliveries() {
        guard var outbox = status.notifications else { return }
        let configured = Set((rollout.spec.notifications ?? []).map(\.name))
        for delivery in snapshot.deliveries {
            guard let index = outbox.pending.firstIndex(where: { $0.id == delivery.id }),
                outbox.pending[index].targets.contains(delivery.target)
            else { continue }
            outbox.pending[index].targets.removeAll { $0 == delivery.target }
            if !delivery.delivered {
                let type = outbox.pending[index].event.type.rawValue
                events.append(RolloutEvent(type: "Warning", reason: "NotificationFailed", message: "notification \(delivery.id) (\(type)) to \(delivery.target) failed: \(delivery.message ?? "no reason given")"))
            }
        }
        for index in outbox.pending.indices { outbox.pending[index].targets.removeAll { !configured.contains($0) } }
        outbox.pending.removeAll { $0.targets.isEmpty }
        status.notifications = outbox
    }

    /// `container=image` of every container of `template`.
    static func images(of template: PodTemplateSpec) -> [String] {
        (template.spec?["containers"]?.arrayValue ?? []).map { container in
            "\(container["name"]?.stringValue ?? "?")=\(container["image"]?.stringValue ?? "?")"
        }
    }
}
