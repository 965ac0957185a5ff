import Foundation

/// A token bucket: at most `burst` requests at once, refilled at `qps` per second, shared by every
/// request of one client. `acquire()` suspends (cancellably) until a token is free.
public actor RateLimiter {
    public let qps: Double
    public let burst: Int
    private var tokens: Double
    private var last: ContinuousClock.Instant
    private let clock = ContinuousClock()

    /// `qps` of zero or less disables limiting.
    public init(qps: Double, burst: Int) {
        self.qps = qps
        self.burst = max(1, burst)
        self.tokens = Double(max(1, burst))
        self.last = ContinuousClock().now
    }

    /// Takes one token, waiting for it if the bucket is empty.
    public func acquire() async throws {
        guard qps > 0 else { return }
        refill()
        // Reserve the token now (tokens may go negative) so concurrent callers queue fairly.
        tokens -= 1
        if tokens >= 0 { return }
        let wait = -tokens / qps
        try await Task.sleep(for: .seconds(wait))
    }

    private func refill() {
        let now = clock.now
        let elapsed = now - last
        last = now
        tokens = min(Double(burst), tokens + elapsed.seconds * qps)
    }
}

extension Duration {
    /// The duration in (fractional) seconds.
    public var seconds: Double {
        let (whole, attoseconds) = components
        return Double(whole) + Double(attoseconds) / 1e18
    }
}
