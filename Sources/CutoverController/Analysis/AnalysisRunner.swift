import Cutover
import Logging

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Takes the measurements the planner asks for (``ReleaseAction/measure(_:)``) from each
/// metric's provider (Prometheus, a web endpoint or a Job: ``MetricProvider``); the measurements'
/// ``EffectPipeline`` runs it in the background, one measurement of a metric of a Rollout at a time.
///
/// Promises:
/// - every query of one call is evaluated for the same instant, the providers concurrently;
/// - a slow or dead endpoint costs its timeout, then an error measurement; nothing is shared
///   between Rollouts but the connection pools;
/// - every failure becomes an `.error` measurement with a message, never a thrown error.
public final class AnalysisRunner: Sendable {
    private let observer: (any AnalysisObserver)?
    private let providers: [MetricProviderKind: any MetricProvider]
    private let logger: Logger
    private let now: @Sendable () -> Date

    /// - Parameters:
    ///   - secrets: reads the credentials a Rollout's `analysis.prometheus` and web metrics name.
    ///   - observer: told about every measurement (operator metrics).
    ///   - now: the evaluation instant of a measurement; tests may pin it.
    ///   - policy: which Prometheus addresses (target `prometheus`) and web metric URLs (target
    ///     `hooks`, as gate hooks) may be reached.
    ///   - jobs: runs the Jobs of `job` metrics; without it they measure an error.
    public init(
        secrets: any SecretReader, observer: (any AnalysisObserver)? = nil, policy: OutboundPolicy = OutboundPolicy(),
        jobs: JobRunner? = nil, logger: Logger = Logger(label: "cutover.analysis"), now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.observer = observer
        self.logger = logger
        self.now = now
        self.providers = [
            .prometheus: PrometheusProvider(secrets: secrets, policy: policy, logger: logger),
            .web: WebProvider(client: WebhookClient(policy: policy, logger: logger), secrets: secrets),
            .job: JobProvider(runner: jobs),
        ]
    }

    /// Measures `queries` for `rollout` now, concurrently and for one instant, and returns one
    /// measurement per query in the order of `queries`; nothing for a cancelled task.
    public func measure(_ queries: [MetricQuery], for rollout: Rollout) async -> [Measurement] {
        guard !queries.isEmpty else { return [] }
        let key = RolloutKey(rollout)
        let started = ContinuousClock.now
        let time = now(), providers = self.providers
        let byKind = Dictionary(grouping: queries.indices, by: { queries[$0].source.kind })
        let measured = await withTaskGroup(of: [(Int, Measurement)].self) { group in
            for (kind, indices) in byKind {
                guard let provider = providers[kind] else { continue }
                group.addTask {
                    let measurements = await provider.measure(indices.map { queries[$0] }, for: rollout, at: time)
                    return Array(zip(indices, measurements))
                }
            }
            var results = [Measurement?](repeating: nil, count: queries.count)
            for await pairs in group {
                for (index, measurement) in pairs { results[index] = measurement }
            }
            return results.compactMap { $0 }
        }
        guard !Task.isCancelled else { return [] }
        let duration = ContinuousClock.now - started
        for measurement in measured { record(measurement, rollout: key, duration: duration) }
        return measured
    }

    /// Shuts the providers' clients down.
    public func shutdown() async {
        for provider in providers.values { await provider.shutdown() }
    }

    private func record(_ measurement: Measurement, rollout: RolloutKey, duration: Duration) {
        if let error = measurement.value.errorMessage ?? measurement.baseline?.errorMessage {
            logger.warning(
                "measurement failed: \(error)",
                metadata: ["namespace": "\(rollout.namespace)", "rollout": "\(rollout.name)", "metric": "\(measurement.metric)"])
        }
        observer?.measurementTaken(measurement, rollout: rollout, duration: duration)
    }
}

extension Measurement.Sample {
    /// The message of an error.
    var errorMessage: String? {
        if case .error(let message) = self { return message }
        return nil
    }
}
