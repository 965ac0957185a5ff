import Cutover

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Receives every measurement the runner takes, for operator metrics: ``ControllerMetrics`` keeps
/// a gauge of the last value per rollout and metric and a counter of measurement errors.
/// Called from the measurement workers, possibly concurrently: implementations must be quick and
/// thread-safe.
public protocol AnalysisObserver: Sendable {
    /// One measurement of `rollout`'s metric, taken in `duration` (both queries, secrets included).
    func measurementTaken(_ measurement: Measurement, rollout: RolloutKey, duration: Duration)
}
