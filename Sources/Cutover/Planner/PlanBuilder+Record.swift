import KubeModels

/// The release record (`status.history`) and the notification outbox (`status.notifications`),
/// kept by a ``ReleaseJournal``.
extension PlanBuilder {
    /// States `fact` once: its Kubernetes Event, its entry in the current record's timeline and
    /// in the outbox, the record's closing when it ends the release, and the release's ending.
    mutating func record(_ fact: ReleaseFact) {
        let event = fact.kubernetesEvent
        if fact.kubernetesEventFirst { events.append(event) }
        var journal = makeJournal()
        if case .started(let revision, let blue, let rollback) = fact {
            journal.open(
                ReleaseRecord(
                    revision: revision, blueRevision: blue, rollback: rollback ? true : nil, images: Self.images(of: rollout.spec.template),
                    startedBy: FieldAuthor.name(of: .template, in: rollout.metadata), startedAt: now))
        }
        if let revision = status.greenRevision ?? journal.history?.last?.revision {
            journal.append(fact.timelineEntry(at: now), revision: revision)
        }
        if let closing = fact.closing, let green = status.greenRevision {
            let finals = (status.analysis ?? []).compactMap { state in
                state.history.last.map {
                    FinalMeasurement(metric: state.name, at: $0.at, value: $0.value, baseline: $0.baseline, verdict: $0.verdict, breaches: state.breaches)
                }
            }
            journal.close(
                revision: green, outcome: closing.outcome, reason: closing.reason, message: closing.message,
                measurements: finals, hooks: (status.hooks ?? []).filter { $0.revision == green })
        }
        keep(journal)
        if !fact.kubernetesEventFirst { events.append(event) }
        if let ending = fact.ending { endings.append(ending) }
    }

    /// Takes the snapshot's finished deliveries off the outbox.
    mutating func ingestDeliveries() {
        var journal = makeJournal()
        journal.ingest(snapshot.deliveries)
        keep(journal)
    }

    /// The journal of `status`.
    private func makeJournal() -> ReleaseJournal {
        ReleaseJournal(
            history: status.history, outbox: status.notifications, targets: rollout.spec.notifications ?? [],
            historyLimit: spec.releaseHistoryLimit, now: now)
    }

    /// Keeps what `journal` changed, and its warnings as Events.
    private mutating func keep(_ journal: ReleaseJournal) {
        status.history = journal.history
        status.notifications = journal.outbox
        events += journal.warnings
    }

    /// `container=image` of every init container, then every container, of `template` (names are
    /// unique across both in a pod): what a release ships, so a changed migration image counts too.
    static func images(of template: PodTemplateSpec) -> [String] {
        let containers = (template.spec?["initContainers"]?.arrayValue ?? []) + (template.spec?["containers"]?.arrayValue ?? [])
        return containers.map { container in
            "\(container["name"]?.stringValue ?? "?")=\(container["image"]?.stringValue ?? "?")"
        }
    }
}
