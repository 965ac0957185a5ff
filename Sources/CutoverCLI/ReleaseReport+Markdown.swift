import Cutover
import KubeModels

/// The report as Markdown, fit to paste into a ticket (GitHub, GitLab and Jira render it): a
/// title, a table of facts, the timeline, the decisions and the final measurements. Times are
/// RFC 3339 in UTC and offsets are from the release's start, so the text never depends on when
/// or where it was printed.
extension ReleaseReport {
    /// The lines of the Markdown report.
    public func markdown() -> [String] {
        var lines = ["# Release \(record.revision) of \(namespace)/\(rollout)", ""]
        lines += facts()
        lines += ["", "## Timeline", ""] + timeline()
        lines += ["", "## Decisions", ""] + decisions()
        lines += ["", "## Measurements", ""] + measurements()
        return lines
    }

    func facts() -> [String] {
        let rows: [(String, String)] = [
            ("Revision", code(record.revision)),
            ("Blue revision", record.blueRevision.map(code) ?? "none (first revision)"),
            ("Images", record.images.isEmpty ? "-" : record.images.map(code).joined(separator: ", ")),
            ("Started by", record.startedBy ?? "unknown (no field manager owns spec.template)"),
            ("Started", record.startedAt.description),
            ("Ended", record.endedAt?.description ?? "-"),
            ("Duration", durationSeconds.map { DurationText.format($0) } ?? "- (in flight)"),
            ("Outcome", outcomeText),
            ("Reason", record.reason ?? "-"),
        ]
        return Self.table(["Fact", "Value"], rows.map { [$0.0, $0.1] })
    }

    func timeline() -> [String] {
        guard !record.timeline.isEmpty else { return ["No events recorded."] }
        let rows = record.timeline.map { event -> [String] in
            let offset = Int64(event.at.date.timeIntervalSince(record.startedAt.date).rounded())
            var message = event.message
            if let numbers = Self.numbers(of: event) { message += " (\(numbers))" }
            return [event.at.description, "+" + DurationText.format(offset), event.type.rawValue, message]
        }
        var lines = Self.table(["Time (UTC)", "Offset", "Event", "Message"], rows)
        if record.timeline.count >= ReleaseRecord.timelineLimit {
            lines += ["", "The record keeps \(ReleaseRecord.timelineLimit) events: older ones after `Started` were dropped."]
        }
        return lines
    }

    func decisions() -> [String] {
        var lines: [String] = []
        if let outcome = record.outcome {
            var text = "- **Outcome:** \(outcome.rawValue) — \(reasonText(outcome))"
            if let message = record.message, !message.isEmpty { text += ": \(message)" }
            if outcome == .rolledBack, let breach, let numbers = Self.numbers(of: breach) { text += " (\(numbers))" }
            lines.append(Self.inline(text))
        } else {
            lines.append("- **Outcome:** none yet: the release is in flight.")
        }
        for event in record.timeline where event.type == .awaitingApproval {
            lines.append(Self.inline("- **Approval:** waited at +\(offset(event)) (\(event.reason ?? "ManualApproval")): \(event.message)"))
        }
        if hooks.isEmpty {
            lines.append("- **Gate hooks:** none called in this release.")
        }
        for hook in hooks {
            lines.append(Self.inline("- **Gate \(hook.name.rawValue):** \(Self.hookLine(hook))"))
        }
        return lines
    }

    func measurements() -> [String] {
        guard let finals = record.measurements, !finals.isEmpty else {
            return ["No analysis: no metric was measured in this release."]
        }
        let rows = finals.map { final in
            [
                final.metric, final.value.map(NumberText.short) ?? "-", final.baseline.map(NumberText.short) ?? "-",
                final.verdict.rawValue, "\(final.breaches)", final.at.description,
            ]
        }
        return Self.table(["Metric", "Value", "Baseline", "Verdict", "Breaches", "Measured at"], rows)
    }

    /// Why the release ended, in words: the recorded reason, or what its absence means.
    func reasonText(_ outcome: ReleaseRecord.Outcome) -> String {
        switch (outcome, record.reason) {
        case (.promoted, nil): return "automatic (every step and check passed)"
        case (_, "Promoted"?): return "Promoted (by `cutover.dev/promote`)"
        case (_, "PromotedFull"?): return "PromotedFull (by `cutover.dev/promote-full`, analysis skipped)"
        case (_, "Available"?): return "Available (first revision, nothing to compare)"
        case (_, let reason?): return reason
        case (_, nil): return "no reason recorded"
        }
    }

    func offset(_ event: ReleaseEvent) -> String {
        DurationText.format(Int64(event.at.date.timeIntervalSince(record.startedAt.date).rounded()))
    }

    func code(_ text: String) -> String { "`\(text.replacing("`", with: "'"))`" }

    /// A Markdown table; cells lose their line breaks and escape `|`.
    static func table(_ header: [String], _ rows: [[String]]) -> [String] {
        let line = { (cells: [String]) in "| " + cells.map(cell).joined(separator: " | ") + " |" }
        return [line(header), "|" + String(repeating: "---|", count: header.count)] + rows.map(line)
    }

    static func cell(_ text: String) -> String {
        inline(text).replacing("|", with: "\\|")
    }

    /// One line of text: line breaks (from a hook's answer body) become spaces.
    static func inline(_ text: String) -> String {
        text.split(omittingEmptySubsequences: true, whereSeparator: \.isNewline).joined(separator: " ")
    }
}
