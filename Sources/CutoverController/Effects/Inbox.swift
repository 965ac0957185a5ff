import KubeRuntime

/// Outcomes of background work waiting, per object, for its next reconcile: appended as they
/// arrive, taken by a reconcile, then committed once the status recording them is written, or
/// rolled back (put before anything newer) when it is not. Oldest first; beyond `limit` per object
/// the oldest are dropped.
struct Inbox<Outcome: Sendable>: Sendable {
    private var waiting: [ObjectKey: [Outcome]] = [:]
    private var taken: [ObjectKey: [Outcome]] = [:]
    private let limit: Int?

    init(limit: Int? = nil) { self.limit = limit }

    mutating func append(_ outcomes: some Collection<Outcome>, for key: ObjectKey) {
        guard !outcomes.isEmpty else { return }
        store(waiting[key, default: []] + outcomes, for: key)
    }

    /// Everything waiting for `key`, held as taken until ``commit(_:)`` or ``rollback(_:)``. A take
    /// that was neither (it cannot happen while one reconcile per key runs) is handed out again.
    mutating func take(_ key: ObjectKey) -> [Outcome] {
        let outcomes = (taken.removeValue(forKey: key) ?? []) + (waiting.removeValue(forKey: key) ?? [])
        if !outcomes.isEmpty { taken[key] = outcomes }
        return outcomes
    }

    /// The taken outcomes are recorded: drop them.
    mutating func commit(_ key: ObjectKey) { taken[key] = nil }

    /// The taken outcomes were not recorded: they go back before any that arrived since.
    mutating func rollback(_ key: ObjectKey) {
        guard let outcomes = taken.removeValue(forKey: key) else { return }
        store(outcomes + waiting[key, default: []], for: key)
    }

    mutating func forget(_ key: ObjectKey) {
        waiting[key] = nil
        taken[key] = nil
    }

    private mutating func store(_ list: [Outcome], for key: ObjectKey) {
        var list = list
        if let limit, list.count > limit { list.removeFirst(list.count - limit) }
        waiting[key] = list
    }
}
