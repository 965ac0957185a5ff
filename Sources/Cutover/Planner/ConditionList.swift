import KubeModels

/// Conditions (metav1 style, usable with `kubectl wait`) built for a status: a condition keeps its
/// `lastTransitionTime` while its status stays the same.
struct ConditionList {
    let previous: [Condition]?
    let now: Timestamp
    let generation: Int64?
    private(set) var conditions: [Condition] = []

    init(previous: [Condition]?, now: Timestamp, generation: Int64?) {
        self.previous = previous
        self.now = now
        self.generation = generation
    }

    mutating func set(_ type: String, _ value: Bool, _ reason: String, _ message: String) {
        let text = value ? "True" : "False"
        // By index: a found Condition is read in place, not copied.
        var since = now
        if let previous, let index = previous.firstIndex(where: { $0.type == type }), previous[index].status == text {
            since = previous[index].lastTransitionTime ?? now
        }
        conditions.append(
            Condition(type: type, status: text, reason: reason, message: message, lastTransitionTime: since, observedGeneration: generation))
    }
}
