/// Where the controller machinery reads the time and waits for it: the work queue's delays and
/// backoff, the leader elector's lease timing. ``SystemTimeSource`` in production; a test passes a clock
/// it advances by hand, so no test sleeps to order events.
public protocol TimeSource: Sendable {
    /// The current instant on a monotonic clock.
    var now: ContinuousClock.Instant { get }
    /// Suspends until `deadline`; throws `CancellationError` when the calling task is cancelled.
    func sleep(until deadline: ContinuousClock.Instant) async throws
}

extension TimeSource {
    /// Suspends for `duration`.
    public func sleep(for duration: Duration) async throws { try await sleep(until: now + duration) }
}

/// The machine's monotonic clock.
public struct SystemTimeSource: TimeSource {
    public init() {}
    public var now: ContinuousClock.Instant { .now }
    public func sleep(until deadline: ContinuousClock.Instant) async throws {
        try await Task.sleep(until: deadline, clock: .continuous)
    }
}
