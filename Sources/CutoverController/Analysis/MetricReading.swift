#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The latest state of one metric of one Rollout, as the runner saw it: what operator dashboards
/// show (`cutover_analysis_value`, `cutover_analysis_errors_total`).
public struct MetricReading: Sendable, Hashable {
    /// Green's last value; `nil` when the last measurement had no data or failed.
    public var value: Double?
    /// Blue's last baseline value, for metrics with a baseline.
    public var baseline: Double?
    /// When the last measurement was evaluated.
    public var at: Date
    /// Measurements of this metric that ended in an error, since the runner started.
    public var errors: Int
    /// The last error's message, if the last measurement failed.
    public var lastError: String?

    public init(value: Double? = nil, baseline: Double? = nil, at: Date, errors: Int = 0, lastError: String? = nil) {
        self.value = value
        self.baseline = baseline
        self.at = at
        self.errors = errors
        self.lastError = lastError
    }
}
