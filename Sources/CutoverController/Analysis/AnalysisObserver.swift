import Cutover

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Receives every measurement the runner takes, for operator metrics. The controller connects it to
/// swift-metrics (a gauge of the last value per rollout/metric, a counter of measurement errors).
/// Called from the runner's tasks, possibly concurrently: implementations must be quick and
/// thread-safe.
public protocol AnalysisObserver: Sendable {
    /// One measurement of `rollout`'s metric, taken in `duration` (both queries, secrets included).
    func measurementTaken(_ measurement: Measurement, rollout: RolloutKey, duration: Duration)
}
