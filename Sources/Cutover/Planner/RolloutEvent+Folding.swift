extension RolloutEvent {
    /// What separates the steps of a folded Event's message.
    static let stepSeparator = " → "

    /// One Event for everything one plan decided, in the order it happened: a plan is one decision
    /// (green became ready, so traffic cut over and the release was promoted), and every Event is a
    /// request to the API server. Nil for no events; a single event is unchanged.
    ///
    /// The reason is the furthest step's (the last event's), or the last Warning's when there is
    /// one (a Warning is what an operator filters for); the type is Warning if any step is. The
    /// message tells each step as `Reason: message`, joined by ` → `; ``steps`` reads them back.
    public static func folding(_ events: [RolloutEvent]) -> RolloutEvent? {
        guard let last = events.last else { return nil }
        guard events.count > 1 else { return last }
        let warning = events.last { $0.type == "Warning" }
        return RolloutEvent(
            type: warning == nil ? "Normal" : "Warning", reason: (warning ?? last).reason,
            message: events.map { "\($0.reason): \($0.message)" }.joined(separator: stepSeparator))
    }

    /// The steps of an Event as ``folding(_:)`` wrote it: for an Event of one step, itself.
    public static func steps(reason: String, message: String) -> [(reason: String, message: String)] {
        let parts = message.split(separator: stepSeparator, omittingEmptySubsequences: false)
        guard parts.count > 1 else { return [(reason, message)] }
        var steps: [(reason: String, message: String)] = []
        for part in parts {
            // A step is `Reason: message` with a CamelCase reason; anything else is not a folded Event.
            guard let colon = part.firstRange(of: ": "), let first = part.first, first.isUppercase,
                part[..<colon.lowerBound].allSatisfy({ $0.isLetter })
            else { return [(reason, message)] }
            steps.append((String(part[..<colon.lowerBound]), String(part[colon.upperBound...])))
        }
        return steps
    }
}
