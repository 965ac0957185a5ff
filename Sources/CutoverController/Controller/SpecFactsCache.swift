import Cutover
import KubeRuntime
import Synchronization

/// Each Rollout's ``SpecFacts`` (its validation, resolved spec and template hash), computed once
/// per generation instead of in every plan. A few hundred bytes per Rollout; forgotten when the
/// Rollout is gone.
final class SpecFactsCache: Sendable {
    private let entries = Mutex<[RolloutKey: SpecFacts]>([:])

    /// The facts of this generation of `rollout`: cached, or computed and cached now.
    func facts(of rollout: Rollout, key: RolloutKey) -> SpecFacts? {
        if let cached = entries.withLock({ $0[key] }), cached.describe(rollout) { return cached }
        guard let fresh = SpecFacts(rollout) else { return nil }
        entries.withLock { $0[key] = fresh }
        return fresh
    }

    func forget(_ key: RolloutKey) {
        _ = entries.withLock { $0.removeValue(forKey: key) }
    }
}
