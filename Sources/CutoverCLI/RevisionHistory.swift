import Cutover
import KubeModels

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `kubectl cutover history`: the past releases. When the controller keeps a release record
/// (`status.history`), each entry is one record: images, who started it, times, outcome and
/// reason, exactly as recorded. For a Rollout without one (a controller from before release
/// records) it falls back to deriving what it can: each entry from the revision's Deployment
/// (images, creation = first release start), the status (active, green, rolled back with the last
/// abort) and, while they last, the Rollout's Events (promoted, reverted, superseded, with their
/// times). ``Entry/source`` says where the outcome came from.
public struct RevisionHistory: Sendable, Hashable {
    /// One revision, newest first.
    public struct Entry: Sendable, Hashable, Codable {
        /// The template hash.
        public var revision: String
        /// The container images of its pod template (`container=image` from a record).
        public var images: [String]
        /// Who changed the template (the field manager), from a record; nil otherwise.
        public var startedBy: String?
        /// The Deployment's creation: the start of the revision's first release.
        public var started: Timestamp?
        /// When the outcome happened, if recorded.
        public var ended: Timestamp?
        /// Where the release was verified before it started (`spec.promotion`): the sources, or
        /// `unverified: <value> (by <manager>)` for an override; nil without a promotion gate.
        public var verified: String?
        /// `in flight (Canary)`, `promoted, serving`, `reverted: ...`, `superseded by ...`, ...
        public var outcome: String
        /// `record` (status.history), `status`, `event` or `unknown`.
        public var source: String
    }

    /// Newest first (by start).
    public var entries: [Entry]

    /// The history from `status.history` when the Rollout has one, else derived from the Rollout,
    /// its revision Deployments and its Events.
    public init(rollout: Rollout, deployments: [Deployment], events: [Event]) {
        if let records = rollout.status?.history, !records.isEmpty {
            entries = Self.recordEntries(records, status: rollout.status ?? RolloutStatus())
            return
        }
        let status = rollout.status ?? RolloutStatus()
        let newestFirst = events.flatMap(Self.steps).sorted { (Self.time($0)?.date ?? .distantPast) > (Self.time($1)?.date ?? .distantPast) }
        entries = deployments.compactMap { deployment -> Entry? in
            guard let revision = deployment.metadata.labels?[CutoverLabels.revision] else { return nil }
            var entry = Entry(
                revision: revision, images: ReleaseView.images(of: deployment.spec?.template), startedBy: nil,
                started: deployment.metadata.creationTimestamp, ended: nil, verified: nil, outcome: "", source: "status")
            if revision == status.greenRevision {
                entry.started = status.releaseStartedAt ?? entry.started
                entry.outcome = "in flight (\(status.phase?.rawValue ?? "-"))"
            } else if revision == status.activeRevision {
                let promoted = newestFirst.first { Self.says($0, promoted: revision) }
                entry.ended = promoted.flatMap(Self.time)
                entry.outcome = status.greenRevision == nil ? "promoted, serving" : "serving as blue"
            } else if revision == status.rolledBackRevision, let abort = status.abort, abort.revision == revision {
                entry.ended = abort.at
                entry.outcome = "reverted: \(StatusLine.abortText(abort, namingRevision: false))"
            } else if let event = newestFirst.first(where: { Self.mentions($0, revision) }) {
                entry.source = "event"
                entry.ended = Self.time(event)
                entry.outcome = Self.outcome(of: event, revision: revision)
            } else {
                entry.source = "unknown"
                entry.outcome = "replaced (outcome not recorded)"
            }
            return entry
        }.sorted { ($0.started?.date ?? .distantPast, $0.revision) > ($1.started?.date ?? .distantPast, $1.revision) }
    }

    /// The steps an Event tells (a controller folds what one plan decided into one Event), newest first.
    static func steps(_ event: Event) -> [Event] {
        RolloutEvent.steps(reason: event.reason ?? "", message: event.message ?? "").reversed().map { step in
            var told = event
            told.reason = step.reason
            told.message = step.message
            return told
        }
    }

    static func time(_ event: Event) -> Timestamp? { event.lastTimestamp ?? event.eventTime ?? event.firstTimestamp }

    static func says(_ event: Event, promoted revision: String) -> Bool {
        (event.reason == "Promoted" && event.message == "\(revision) is the active revision")
            || (event.reason == "Available" && event.message?.hasPrefix("first revision \(revision) ") == true)
    }

    /// Events whose outcome concerns `revision` as the green of a finished release.
    static func mentions(_ event: Event, _ revision: String) -> Bool {
        let message = event.message ?? ""
        switch event.reason {
        case "Promoted", "Available": return says(event, promoted: revision)
        case "RolledBack": return message.hasPrefix("\(revision) rolled back")
        case "Superseded": return message.hasSuffix("supersedes \(revision)")
        default: return false
        }
    }

    static func outcome(of event: Event, revision: String) -> String {
        let message = event.message ?? ""
        switch event.reason {
        case "Promoted", "Available": return "promoted, later replaced"
        case "RolledBack": return "reverted: " + message.dropFirst("\(revision) rolled back: ".count)
        case "Superseded":
            let newer = message.split(separator: " ").dropFirst(3).first.map(String.init) ?? "a newer template"
            return "superseded by \(newer)"
        default: return message
        }
    }

    /// The table `history` prints; with a VERIFIED column when a release passed a promotion gate.
    public func lines() -> [String] {
        let gated = entries.contains { $0.verified != nil }
        var rows = [["REVISION", "IMAGES", "STARTED-BY", "STARTED", "ENDED"] + (gated ? ["VERIFIED"] : []) + ["OUTCOME"]]
        for entry in entries {
            rows.append(
                [entry.revision, entry.images.joined(separator: ","), entry.startedBy ?? "-", entry.started?.description ?? "-", entry.ended?.description ?? "-"]
                    + (gated ? [entry.verified ?? "-"] : []) + [entry.outcome + (entry.source == "event" ? " (from events)" : "")])
        }
        return TreeRenderer.columns(rows.map { row in row.enumerated().map { $0.offset == row.count - 1 ? $0.element : $0.element + " " } })
    }
}
