import Cutover
import KubeModels

/// What every report says of a ``ReleaseRecord``, whether a Rollout's release or a group's: its
/// times, its outcome and why, its timeline. Nothing depends on the clock: offsets and durations
/// are between recorded times.
extension ReleaseRecord {
    /// Where in `history` (oldest first) the report's release is: the newest, or the newest of
    /// `revision`. Throws ``CLIError/notFound(_:)`` naming `owner` (`rollout web`) when there is no
    /// record yet or none of `revision`; the latter lists the revisions there are, newest first.
    static func reportIndex(in history: [ReleaseRecord], revision: String?, owner: String) throws -> Int {
        guard !history.isEmpty else {
            throw CLIError.notFound(
                "\(owner) has no release record yet (status.history is empty): the controller adds one when a release starts")
        }
        guard let revision else { return history.count - 1 }
        guard let index = history.lastIndex(where: { $0.revision == revision }) else {
            var known: [String] = []
            for record in history.reversed() where !known.contains(record.revision) { known.append(record.revision) }
            throw CLIError.notFound(
                "\(owner) has no release of revision \"\(revision)\"; known revisions (newest first): \(known.joined(separator: ", "))")
        }
        return index
    }

    /// Seconds from the start to the end; nil while the release runs.
    var durationSeconds: Int64? {
        endedAt.map { Int64($0.date.timeIntervalSince(startedAt.date).rounded()) }
    }

    /// `Promoted`, `RolledBack`, `Superseded`, or `in flight` while it runs.
    var outcomeText: String { outcome?.rawValue ?? "in flight" }

    /// The event that ended the release with the breach numbers, if one did.
    var breach: ReleaseEvent? {
        timeline.last { $0.metric != nil || $0.value != nil || $0.limit != nil }
    }

    /// `metric error-rate, value 0.2418, limit 0.05`, or nil without numbers.
    static func numbers(of event: ReleaseEvent) -> String? {
        var parts: [String] = []
        if let metric = event.metric { parts.append("metric \(metric)") }
        if let value = event.value { parts.append("value \(NumberText.short(value))") }
        if let limit = event.limit { parts.append("limit \(NumberText.short(limit))") }
        return parts.isEmpty ? nil : parts.joined(separator: ", ")
    }

    /// The facts from the start on: started, ended, duration, outcome, reason.
    var timingFacts: [(String, String)] {
        [
            ("Started", startedAt.description),
            ("Ended", endedAt?.description ?? "-"),
            ("Duration", durationSeconds.map { DurationText.format($0) } ?? "- (in flight)"),
            ("Outcome", outcomeText),
            ("Reason", reason ?? "-"),
        ]
    }

    /// The `Timeline` table: time, offset from the start, event, message with the breach numbers.
    func timelineMarkdown() -> [String] {
        guard !timeline.isEmpty else { return ["No events recorded."] }
        let rows = timeline.map { event -> [String] in
            var message = event.message
            if let numbers = Self.numbers(of: event) { message += " (\(numbers))" }
            return [event.at.description, "+" + offset(event), event.type.rawValue, message]
        }
        var lines = Markdown.table(["Time (UTC)", "Offset", "Event", "Message"], rows)
        if timeline.count >= Self.timelineLimit {
            lines += ["", "The record keeps \(Self.timelineLimit) events: older ones after `Started` were dropped."]
        }
        return lines
    }

    /// The decisions every release has: how it ended (with the breach numbers) and each wait for approval.
    func outcomeDecisions() -> [String] {
        var lines: [String] = []
        if let outcome {
            var text = "- **Outcome:** \(outcome.rawValue) — \(reasonText(outcome))"
            if let message, !message.isEmpty { text += ": \(message)" }
            if outcome == .rolledBack, let breach, let numbers = Self.numbers(of: breach) { text += " (\(numbers))" }
            lines.append(Markdown.inline(text))
        } else {
            lines.append("- **Outcome:** none yet: the release is in flight.")
        }
        for event in timeline where event.type == .awaitingApproval {
            lines.append(Markdown.inline("- **Approval:** waited at +\(offset(event)) (\(event.reason ?? "ManualApproval")): \(event.message)"))
        }
        return lines
    }

    /// Why the release ended, in words: the recorded reason, or what its absence means.
    func reasonText(_ outcome: ReleaseRecord.Outcome) -> String {
        switch (outcome, reason) {
        case (.promoted, nil): return "automatic (every step and check passed)"
        case (_, "Promoted"?): return "Promoted (by `cutover.dev/promote`)"
        case (_, "PromotedFull"?): return "PromotedFull (by `cutover.dev/promote-full`, analysis skipped)"
        case (_, "Available"?): return "Available (first revision, nothing to compare)"
        case (_, let reason?): return reason
        case (_, nil): return "no reason recorded"
        }
    }

    /// The time from the start to `event`: `15s`, `3m`.
    func offset(_ event: ReleaseEvent) -> String {
        DurationText.format(Int64(event.at.date.timeIntervalSince(startedAt.date).rounded()))
    }
}
