import KubeModels

/// The release record (`status.history`) and the notification outbox (`status.notifications`) of
/// one object — a Rollout or a ReleaseGroup — kept together: every release event goes into the
/// open record's timeline and, for the targets that want it, into the outbox, in the same status
/// write, so a restarted controller finds both exactly as the step left them.
struct ReleaseJournal {
    var history: [ReleaseRecord]?
    var outbox: NotificationStatus?
    /// The object's `spec.notifications`.
    let targets: [NotificationTarget]
    /// Records kept, newest last.
    let historyLimit: Int
    let now: Timestamp
    /// Warnings to record as Kubernetes Events (a notification dropped or failed), in order.
    var warnings: [RolloutEvent] = []

    /// Opens `record`; an open record of the same revision goes on instead, and another open one
    /// is closed as superseded.
    mutating func open(_ record: ReleaseRecord) {
        var records = history ?? []
        if let last = records.last, last.outcome == nil, last.revision == record.revision { return }
        if let last = records.indices.last, records[last].outcome == nil {
            records[last].outcome = .superseded
            records[last].endedAt = now
        }
        records.append(record)
        if records.count > historyLimit { records.removeFirst(records.count - historyLimit) }
        history = records
    }

    /// Adds `event` to the open record of `revision` (when it is the newest) and to the outbox.
    mutating func append(_ event: ReleaseEvent, revision: String) {
        if var records = history, let last = records.indices.last, records[last].revision == revision, records[last].outcome == nil {
            var timeline = records[last].timeline
            timeline.append(event)
            if timeline.count > ReleaseRecord.timelineLimit { timeline.remove(at: 1) }  // keep `Started`
            records[last].timeline = timeline
            history = records
        }
        enqueue(event, revision: revision)
    }

    /// Closes the open record of `revision` with its outcome.
    mutating func close(
        revision: String, outcome: ReleaseRecord.Outcome, reason: String?, message: String,
        measurements: [FinalMeasurement] = [], hooks: [HookStatus] = []
    ) {
        guard var records = history, let last = records.indices.last, records[last].outcome == nil,
            records[last].revision == revision
        else { return }
        records[last].outcome = outcome
        records[last].endedAt = now
        records[last].reason = reason
        records[last].message = message
        records[last].measurements = measurements.isEmpty ? nil : measurements
        records[last].hooks = hooks.isEmpty ? nil : hooks
        history = records
    }

    /// Puts `event` in the outbox for every target that wants it.
    private mutating func enqueue(_ event: ReleaseEvent, revision: String) {
        let names = targets.filter { $0.wants(event.type) }.map(\.name)
        guard !names.isEmpty else { return }
        var pending = outbox ?? NotificationStatus()
        pending.lastID += 1
        pending.pending.append(
            PendingNotification(
                id: pending.lastID, revision: revision, blueRevision: history?.last?.blueRevision, event: event, targets: names))
        if pending.pending.count > NotificationStatus.pendingLimit {
            let dropped = pending.pending.removeFirst()
            warnings.append(RolloutEvent(type: "Warning", reason: "NotificationDropped", message: "notification \(dropped.id) (\(dropped.event.type.rawValue)) dropped undelivered: more than \(NotificationStatus.pendingLimit) waiting"))
        }
        outbox = pending
    }

    /// Takes finished deliveries off the outbox; targets no longer configured are dropped too, so
    /// nothing waits for a receiver that was removed.
    mutating func ingest(_ deliveries: [NotificationDelivery]) {
        guard var pending = outbox else { return }
        let configured = Set(targets.map(\.name))
        for delivery in deliveries {
            guard let index = pending.pending.firstIndex(where: { $0.id == delivery.id }),
                pending.pending[index].targets.contains(delivery.target)
            else { continue }
            pending.pending[index].targets.removeAll { $0 == delivery.target }
            if !delivery.delivered {
                let type = pending.pending[index].event.type.rawValue
                warnings.append(RolloutEvent(type: "Warning", reason: "NotificationFailed", message: "notification \(delivery.id) (\(type)) to \(delivery.target) failed: \(delivery.message ?? "no reason given")"))
            }
        }
        for index in pending.pending.indices { pending.pending[index].targets.removeAll { !configured.contains($0) } }
        pending.pending.removeAll { $0.targets.isEmpty }
        outbox = pending
    }
}
