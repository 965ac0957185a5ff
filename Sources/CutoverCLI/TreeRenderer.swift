import Cutover

/// The text of `kubectl cutover get`: a header and a tree of the release's Services, revisions
/// and analysis. Plain text (no escape codes): the caller decides whether to redraw it in place.
/// Nothing in it depends on the clock except the countdowns, which say "left".
public enum TreeRenderer {
    /// The lines of the tree for `view`.
    public static func render(_ view: ReleaseView) -> [String] {
        var lines = ["Rollout \(view.namespace)/\(view.name)  \(headline(view))"]
        if let message = view.message, !message.isEmpty { lines.append("Message:  \(message)") }
        if let warning = generationWarning(view.generation, observed: view.observedGeneration) { lines.append(warning) }
        if let step = view.step {
            let left = step.pauseRemainingSeconds.map { "\(DurationTextFormat.format($0)) left of \(DurationTextFormat.format(step.pauseSeconds))" }
                ?? "waiting for green to reach the step's size"
            lines.append("Step:     \(step.number)/\(step.of) at \(step.weight)%, pause \(left)")
        }
        if let remaining = view.holdRemainingSeconds {
            lines.append("Hold:     blue kept at full size for \(DurationTextFormat.format(remaining)) more, then scaled to 0")
        }
        if let reason = view.approvalReason {
            lines.append("Waiting:  \(reason); run `kubectl cutover promote \(view.name)` (or abort)")
        }
        if let abort = view.abort {
            lines.append("Reverted: \(StatusLine.abortText(abort))")
        }

        var children: [Node] = []
        for service in view.services {
            children.append(Node(text: "Service \(service.name) (\(service.role)) → \(target(service, view: view))"))
        }
        let rows = view.revisions.map { revision in
            [
                "Revision \(revision.revision)", label(role: revision.role, traffic: view.traffic, weight: view.weight), revision.deployment,
                "\(revision.readyReplicas)/\(revision.replicas) ready", revision.images.joined(separator: ", "),
            ]
        }
        for row in columns(rows) { children.append(Node(text: row)) }
        if let promotion = view.promotion { children.append(Node(text: "Gate promotion: \(promotion)")) }
        for hook in view.hooks { children.append(Node(text: "Gate \(hook.name): \(gateText(hook))")) }
        if !view.analysis.isEmpty {
            let metrics = view.analysis.map { metric in
                let marks = metric.measurements.map { "\(mark($0.verdict)) \($0.value.map(NumberText.short) ?? "-")" }
                let results = marks.isEmpty ? "no measurements yet" : marks.joined(separator: "  ")
                let breaches = metric.breaches == 0 ? "" : " — \(metric.breaches) breach\(metric.breaches == 1 ? "" : "es") (tolerated: \(metric.failureLimit))"
                return Node(text: "\(metric.name) (\(metric.threshold)): \(results)\(breaches)")
            }
            let score = view.score.map { score in " — score \(score.value)" + (score.result.map { " (\($0.rawValue))" } ?? "") } ?? ""
            children.append(Node(text: "Analysis\(score)", children: metrics))
        }
        lines.append(contentsOf: Node.draw(children))
        return lines
    }

    /// The header line saying the status is older than the spec, if it is.
    static func generationWarning(_ generation: Int64?, observed: Int64?) -> String? {
        guard let generation, (observed ?? 0) < generation else { return nil }
        return "Warning:  the controller has not acted on generation \(generation) yet (observed \(observed.map(String.init) ?? "none"))"
    }

    /// `Canary 50% (step 1/2)`, `HoldWindow 100%`, `Healthy`, with `, paused` when paused.
    static func headline(_ view: ReleaseView) -> String {
        var text = view.phase
        switch view.phase {
        case RolloutPhase.canary.rawValue, RolloutPhase.holdWindow.rawValue, RolloutPhase.promoting.rawValue,
            RolloutPhase.awaitingApproval.rawValue:
            text += " \(view.weight)%"
        default: break
        }
        if let step = view.step { text += " (step \(step.number)/\(step.of))" }
        if view.paused { text += ", paused" }
        return text
    }

    /// A revision's role with where traffic goes: `blue, serving`, `green, 20%`, `rolled-back`.
    static func label(role: String, traffic: String?, weight: Int32) -> String {
        switch role {
        case "blue": return traffic == "Green" ? "blue, standby" : "blue, serving"
        case "green":
            switch traffic {
            case "Split": return "green, \(weight)%"
            case "Green": return "green, serving"
            default: return "green, no traffic"
            }
        default: return role
        }
    }

    static func target(_ service: ReleaseView.ServiceTarget, view: ReleaseView) -> String {
        guard service.exists else { return "missing" }
        guard let revision = service.selects else {
            if service.role == "active", view.traffic == TrafficRouting.split.rawValue { return "split by ready pods (blue + green)" }
            return "no revision key: every pod its selector matches"
        }
        let role = view.revisions.first { $0.revision == revision }?.role
        return role.map { "\(revision) (\($0))" } ?? revision
    }

    /// `Running since 12s`, `Passed (2 attempts)`, `Failed (3 attempts): HTTP 500: boom` (the
    /// answer on one line, cut at 120 characters).
    static func gateText(_ hook: ReleaseView.Hook) -> String {
        if let running = hook.runningSeconds { return "\(hook.phase) since \(Age.format(seconds: Double(running)))" }
        var text = hook.phase
        if let attempts = hook.attempts { text += " (\(attempts) attempt\(attempts == 1 ? "" : "s"))" }
        if hook.phase == HookPhase.failed.rawValue, let message = hook.message, !message.isEmpty {
            var line = message.split(whereSeparator: \.isNewline).joined(separator: " ")
            if line.count > 120 { line = String(line.prefix(119)) + "…" }
            text += ": \(line)"
        }
        return text
    }

    static func mark(_ verdict: Verdict) -> String {
        switch verdict {
        case .pass: return "✔"
        case .marginal: return "≈"
        case .breach: return "✖"
        case .inconclusive: return "?"
        case .error: return "!"
        }
    }

    /// Left-aligned columns separated by two spaces, trailing space trimmed.
    static func columns(_ rows: [[String]]) -> [String] {
        guard let count = rows.first?.count else { return [] }
        let widths = (0..<count).map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            var line = ""
            for (column, cell) in row.enumerated() {
                line += column == count - 1 ? cell : cell + String(repeating: " ", count: widths[column] - cell.count + 2)
            }
            while line.hasSuffix(" ") { line.removeLast() }
            return line
        }
    }

    /// A tree node, drawn with box-drawing characters.
    struct Node {
        var text: String
        var children: [Node] = []

        static func draw(_ nodes: [Node], prefix: String = "") -> [String] {
            var lines: [String] = []
            for (index, node) in nodes.enumerated() {
                let last = index == nodes.count - 1
                lines.append(prefix + (last ? "└── " : "├── ") + node.text)
                lines.append(contentsOf: draw(node.children, prefix: prefix + (last ? "    " : "│   ")))
            }
            return lines
        }
    }
}

/// Durations in the spec's own form (`1m30s`).
enum DurationTextFormat {
    static func format(_ seconds: Int64) -> String { DurationText.format(seconds) }
}
