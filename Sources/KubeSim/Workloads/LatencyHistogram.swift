/// A Prometheus histogram of request durations in seconds, with the client libraries' default
/// buckets (5 ms … 10 s), so `histogram_quantile` over it behaves as over a real service's.
public struct LatencyHistogram: Sendable, Hashable {
    /// Upper bounds of the finite buckets, in seconds; `+Inf` is implied.
    public static let bounds: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    /// Observations per bucket (not cumulative); the last entry is the `+Inf` overflow.
    public private(set) var bucketCounts: [Int64] = Array(repeating: 0, count: LatencyHistogram.bounds.count + 1)
    /// Sum of all observed durations, in seconds.
    public private(set) var sum: Double = 0
    /// Number of observations.
    public private(set) var count: Int64 = 0

    /// An empty histogram.
    public init() {}

    /// Records one request that took `seconds`.
    public mutating func observe(_ seconds: Double) {
        let index = LatencyHistogram.bounds.firstIndex { seconds <= $0 } ?? LatencyHistogram.bounds.count
        bucketCounts[index] += 1
        sum += seconds
        count += 1
    }

    /// Cumulative counts per bucket as Prometheus exposes them (`le` = bound), ending with `+Inf`.
    public var cumulativeCounts: [Int64] {
        var running: Int64 = 0
        return bucketCounts.map { count in
            running += count
            return running
        }
    }
}
