/// Exponential backoff: `initial × factor^(attempt-1)`, capped at `maximum`, optionally jittered.
///
/// Used by the reflector (errors), the work queue (per-key failures, without jitter so tests and
/// operators can predict it) and the leader elector (retry period).
public struct Backoff: Sendable, Hashable {
    /// Delay after the first failure.
    public var initial: Duration
    /// The cap; a delay never exceeds it (jitter included).
    public var maximum: Duration
    /// Growth per further failure.
    public var factor: Double
    /// Random extra fraction in `0...jitter` added to each delay, so many clients do not retry in step.
    public var jitter: Double

    public init(initial: Duration, maximum: Duration, factor: Double = 2, jitter: Double = 0) {
        precondition(initial > .zero && maximum >= initial && factor >= 1 && jitter >= 0, "invalid backoff")
        self.initial = initial
        self.maximum = maximum
        self.factor = factor
        self.jitter = jitter
    }

    /// The delay before retry number `attempt` (1 for the first retry).
    public func delay(attempt: Int) -> Duration {
        let exponent = Double(max(attempt, 1) - 1)
        let base = initial.seconds * Swift.min(pow2(factor, exponent), 1e12)
        let jittered = jitter > 0 ? base * (1 + Double.random(in: 0...jitter)) : base
        return .seconds(Swift.min(jittered, maximum.seconds))
    }

    private func pow2(_ base: Double, _ exponent: Double) -> Double {
        var result = 1.0
        var remaining = exponent
        while remaining >= 1, result < 1e12 {
            result *= base
            remaining -= 1
        }
        return result
    }
}
