import Cutover
import Logging
import Prometheus

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Takes the measurements the planner asks for (``ReleaseAction/measure(_:)``) against the
/// Rollout's Prometheus; the measurements' ``EffectPipeline`` runs it in the background, one
/// measurement of a metric of a Rollout at a time.
///
/// Promises:
/// - a metric's green and baseline queries are evaluated at the same instant;
/// - a slow or dead Prometheus costs the Rollout's `analysis.prometheus.timeout`, then an error
///   measurement; nothing is shared between Rollouts but the connection pool;
/// - every failure becomes an `.error` measurement with a message, never a thrown error.
public final class AnalysisRunner: Sendable {
    private let secrets: any SecretReader
    private let observer: (any AnalysisObserver)?
    private let pool: PrometheusClientPool
    private let logger: Logger
    private let now: @Sendable () -> Date
    private let policy: OutboundPolicy

    /// - Parameters:
    ///   - secrets: reads the credentials a Rollout's `analysis.prometheus` names.
    ///   - observer: told about every measurement (operator metrics).
    ///   - now: the evaluation instant of a measurement; tests may pin it.
    ///   - policy: which Prometheus addresses may be queried.
    public init(
        secrets: any SecretReader, observer: (any AnalysisObserver)? = nil, policy: OutboundPolicy = OutboundPolicy(),
        logger: Logger = Logger(label: "cutover.analysis"), now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.secrets = secrets
        self.policy = policy
        self.observer = observer
        self.logger = logger
        self.now = now
        self.pool = PrometheusClientPool(logger: logger)
    }

    /// Measures `queries` for `rollout` now, concurrently and at one instant, and returns one
    /// measurement per query in the order of `queries`; nothing for a cancelled task.
    public func measure(_ queries: [MetricQuery], for rollout: Rollout) async -> [Measurement] {
        guard !queries.isEmpty else { return [] }
        let key = RolloutKey(rollout)
        let started = ContinuousClock.now
        let measurements = await Self.take(
            queries, source: rollout.spec.analysis?.prometheus, namespace: key.namespace, at: now(), secrets: secrets, pool: pool,
            policy: policy)
        guard !Task.isCancelled else { return [] }
        let duration = ContinuousClock.now - started
        for measurement in measurements { record(measurement, rollout: key, duration: duration) }
        return measurements
    }

    /// Shuts the Prometheus clients down.
    public func shutdown() async {
        await pool.shutdown()
    }

    private func record(_ measurement: Measurement, rollout: RolloutKey, duration: Duration) {
        if let error = measurement.value.errorMessage ?? measurement.baseline?.errorMessage {
            logger.warning(
                "measurement failed: \(error)",
                metadata: ["namespace": "\(rollout.namespace)", "rollout": "\(rollout.name)", "metric": "\(measurement.metric)"])
        }
        observer?.measurementTaken(measurement, rollout: rollout, duration: duration)
    }

    /// Runs the claimed queries concurrently; a configuration problem fails all of them alike.
    private static func take(
        _ queries: [MetricQuery], source: PrometheusSource?, namespace: String, at time: Date,
        secrets: any SecretReader, pool: PrometheusClientPool, policy: OutboundPolicy
    ) async -> [Measurement] {
        func failed(_ message: String) -> [Measurement] {
            queries.map { $0.measurement(at: time, value: .error(message), baseline: .error(message)) }
        }
        let configuration: PrometheusConfiguration
        do {
            configuration = try await (source ?? PrometheusSource(address: ""))
                .clientConfiguration(namespace: namespace, secrets: secrets)
        } catch {
            return failed(String(describing: error))
        }
        return await withTaskGroup(of: (Int, Measurement).self) { group in
            for (index, query) in queries.enumerated() {
                var address = configuration
                if !query.address.isEmpty { address.address = query.address }
                let perQuery = address
                group.addTask {
                    if let refusal = await policy.refusal(of: perQuery.address, for: .prometheus) {
                        return (index, query.measurement(at: time, value: .error(refusal), baseline: .error(refusal)))
                    }
                    let client: PrometheusClient
                    do {
                        client = try await pool.client(for: perQuery)
                    } catch {
                        return (index, query.measurement(at: time, value: .error("\(error)"), baseline: .error("\(error)")))
                    }
                    return (index, await measureOne(query, client: client, at: time))
                }
            }
            var results = [Measurement?](repeating: nil, count: queries.count)
            for await (index, measurement) in group { results[index] = measurement }
            return results.compactMap { $0 }
        }
    }

    /// Green and baseline at the same instant, concurrently.
    private static func measureOne(_ query: MetricQuery, client: PrometheusClient, at time: Date) async -> Measurement {
        async let green = sample(query.query, sampled: query.sampled, client: client, at: time)
        var blue: Measurement.Sample?
        if let baseline = query.baseline { blue = await sample(baseline, sampled: query.sampled, client: client, at: time) }
        return await query.measurement(at: time, value: green, baseline: blue)
    }

    private static func sample(_ promql: String, sampled: Bool, client: PrometheusClient, at time: Date) async -> Measurement.Sample {
        do {
            let result = try await client.query(promql, at: time).result
            return sampled ? result.seriesSample : result.measurementSample
        } catch {
            return .error(String(describing: error))
        }
    }
}

extension Measurement.Sample {
    /// The message of an error.
    var errorMessage: String? {
        if case .error(let message) = self { return message }
        return nil
    }
}
