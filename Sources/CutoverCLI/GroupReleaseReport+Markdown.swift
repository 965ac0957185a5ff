import Cutover
import KubeModels

/// The group release report as Markdown, laid out as a Rollout's (``ReleaseReport/markdown()``):
/// facts, the members, the timeline and the decisions. A member's gate hooks and measurements are
/// in its own report.
extension GroupReleaseReport {
    /// The lines of the Markdown report.
    public func markdown() -> [String] {
        var lines = ["# Group release \(record.revision) of \(namespace)/\(releaseGroup)", ""]
        let facts: [(String, String)] = [
            ("Revision", Markdown.code(record.revision)),
            ("Members", record.images.isEmpty ? "-" : record.images.map(Markdown.code).joined(separator: ", ")),
        ] + record.timingFacts
        lines += Markdown.table(["Fact", "Value"], facts.map { [$0.0, $0.1] })
        lines += ["", "## Members", ""] + memberTable()
        lines += ["", "## Timeline", ""] + record.timelineMarkdown()
        lines += ["", "## Decisions", ""] + decisions()
        return lines
    }

    /// One row per member: from `status.release` when it is this release, else from the record's
    /// `member=revision` entries.
    func memberTable() -> [String] {
        let header = ["Member", "Revision", "Blue revision", "Wave", "Cut over at"]
        guard members.isEmpty else {
            let waves = members.waves
            let rows = members.sorted { ($0.wave, $0.name) < ($1.wave, $1.name) }.map { member in
                [
                    member.name, Markdown.code(member.revision), Markdown.code(member.blueRevision),
                    "\((waves.firstIndex(of: member.wave) ?? 0) + 1)/\(waves.count)", member.cutoverAt?.description ?? "-",
                ]
            }
            return Markdown.table(header, rows)
        }
        let rows = record.images.map { entry -> [String] in
            let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
            return [parts[0], parts.count > 1 ? Markdown.code(parts[1]) : "-", "-", "-", "-"]
        }
        return Markdown.table(header, rows)
            + ["", "Blue revisions, waves and cutover times are kept for the newest group release only (`status.release`)."]
    }

    func decisions() -> [String] {
        var lines = record.outcomeDecisions()
        if let abort {
            lines.append(Markdown.inline("- **Cause:** \(StatusLine.abortText(abort))" + (abort.at.map { ", at \($0)" } ?? "")))
        }
        lines.append("- **Gate hooks and measurements:** in each member's own report (`kubectl cutover report MEMBER --revision REVISION -n \(namespace)`).")
        return lines
    }
}

extension [GroupReleaseMember] {
    /// The waves that have a changed member, in order: what `wave 1/2` counts.
    var waves: [Int32] { Set(map(\.wave)).sorted() }
}
