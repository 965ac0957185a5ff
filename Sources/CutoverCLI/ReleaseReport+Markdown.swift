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
        lines += ["", "## Timeline", ""] + record.timelineMarkdown()
        lines += ["", "## Decisions", ""] + decisions()
        lines += ["", "## Measurements", ""] + measurements()
        return lines
    }

    func facts() -> [String] {
        let rows: [(String, String)] = [
            ("Revision", Markdown.code(record.revision)),
            ("Blue revision", record.blueRevision.map(Markdown.code) ?? "none (first revision)"),
            ("Images", record.images.isEmpty ? "-" : record.images.map(Markdown.code).joined(separator: ", ")),
            ("Started by", record.startedBy ?? "unknown (no field manager owns spec.template)"),
        ] + record.timingFacts
        return Markdown.table(["Fact", "Value"], rows.map { [$0.0, $0.1] })
    }

    func decisions() -> [String] {
        var lines = record.outcomeDecisions()
        if hooks.isEmpty {
            lines.append("- **Gate hooks:** none called in this release.")
        }
        for hook in hooks {
            lines.append(Markdown.inline("- **Gate \(hook.name.rawValue):** \(Self.hookLine(hook))"))
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
        return Markdown.table(["Metric", "Value", "Baseline", "Verdict", "Breaches", "Measured at"], rows)
    }
}
