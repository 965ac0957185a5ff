/// What a background runner (measurements, hook outcomes, notification deliveries) keeps per
/// Rollout for the next reconcile: appended as it arrives, taken whole by the reconcile, given
/// back first when the status that would have recorded it was not written. Oldest first; beyond
/// `limit` the oldest are dropped.
struct Handover<Element: Sendable>: Sendable {
    private var waiting: [RolloutKey: [Element]] = [:]
    private let limit: Int?

    init(limit: Int? = nil) { self.limit = limit }

    mutating func append(_ elements: some Collection<Element>, for rollout: RolloutKey) {
        guard !elements.isEmpty else { return }
        store(waiting[rollout, default: []] + elements, for: rollout)
    }

    mutating func take(for rollout: RolloutKey) -> [Element] { waiting.removeValue(forKey: rollout) ?? [] }

    /// Puts `taken` back before anything that arrived since.
    mutating func putBack(_ taken: [Element], for rollout: RolloutKey) {
        guard !taken.isEmpty else { return }
        store(taken + waiting[rollout, default: []], for: rollout)
    }

    mutating func forget(_ rollout: RolloutKey) { waiting[rollout] = nil }

    private mutating func store(_ list: [Element], for rollout: RolloutKey) {
        var list = list
        if let limit, list.count > limit { list.removeFirst(list.count - limit) }
        waiting[rollout] = list
    }
}
