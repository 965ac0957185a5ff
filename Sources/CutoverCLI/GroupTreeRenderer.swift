import Cutover

/// The text of `kubectl cutover get group`: a header and a tree of the group's members and their
/// revisions, drawn as ``TreeRenderer`` draws a Rollout's. Plain text (no escape codes), and
/// nothing in it depends on the clock.
public enum GroupTreeRenderer {
    /// The lines of the tree for `view`.
    public static func render(_ view: ReleaseGroupView) -> [String] {
        var lines = ["ReleaseGroup \(view.namespace)/\(view.name)  \(view.phase)"]
        if let message = view.message, !message.isEmpty { lines.append("Message:  \(message)") }
        if let warning = TreeRenderer.generationWarning(view.generation, observed: view.observedGeneration) { lines.append(warning) }
        if let step = view.step, !step.isEmpty { lines.append("Step:     \(step)") }
        if let ready = view.ready, !ready.isEmpty { lines.append("Ready:    \(ready)") }
        if let release = view.release {
            lines.append("Release:  \(releaseText(release, members: view.members.filter(\.inRelease).count))")
        }
        if view.phase == ReleaseGroupPhase.awaitingApproval.rawValue, view.release?.approved != true {
            lines.append("Waiting:  every member waits at Cutover; run `kubectl cutover promote group \(view.name)` (or abort)")
        }
        if let abort = view.abort {
            lines.append("Reverted: \(StatusLine.abortText(abort))")
        }
        let rows = view.members.map { member in
            ["Member \(member.name)", member.phase, waveText(member, view: view), notes(member, group: view.name)]
        }
        let members = zip(TreeRenderer.columns(rows), view.members).map { row, member in
            let revisions = member.revisions.map { revision in
                ["Revision \(revision.revision)", TreeRenderer.label(role: revision.role, traffic: member.traffic, weight: member.weight)]
            }
            return TreeRenderer.Node(text: row, children: TreeRenderer.columns(revisions).map { TreeRenderer.Node(text: $0) })
        }
        lines.append(contentsOf: TreeRenderer.Node.draw(members))
        return lines
    }

    /// `7f3k2x9q4v started 2026-11-22T04:00:00Z: 3 members in 2 waves; held at Step 1`, or `...; ended RolledBack`.
    static func releaseText(_ release: ReleaseGroupView.Release, members: Int) -> String {
        var text = "\(release.revision) started \(release.startedAt): \(plural(members, "member")) in \(plural(release.waves, "wave")); "
        if let outcome = release.outcome { return text + "ended \(outcome)" }
        text += "held at \(release.barrier ?? "-")" + (release.step.map { " \($0)" } ?? "")
        if release.approved == true { text += ", cutover approved" }
        if release.wavesCutOver > 0 { text += ", \(release.wavesCutOver)/\(release.waves) waves cut over" }
        if let until = release.holdUntil { text += ", blue held until \(until)" }
        return text
    }

    /// `wave 1/2`, `wave 1/2, cut over`, `unchanged` (not in the release), or nothing without a release.
    static func waveText(_ member: ReleaseGroupView.Member, view: ReleaseGroupView) -> String {
        guard let release = view.release else { return "" }
        guard let wave = member.wave else { return "unchanged" }
        return "wave \(wave)/\(release.waves)" + (member.cutoverAt == nil ? "" : ", cut over")
    }

    /// The barrier it waits at, and whether the Rollout and the group know of each other.
    static func notes(_ member: ReleaseGroupView.Member, group: String) -> String {
        var notes: [String] = []
        if let barrier = member.waitingAt { notes.append("waiting at \(barrier)" + (member.waitingStep.map { " \($0)" } ?? "")) }
        if !member.found { notes.append("no Rollout labelled \(CutoverLabels.group)=\(group)") }
        if !member.listed { notes.append("not yet seen by the group") }
        return notes.joined(separator: "; ")
    }

    static func plural(_ count: Int, _ noun: String) -> String { "\(count) \(noun)\(count == 1 ? "" : "s")" }
}
