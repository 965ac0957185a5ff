import Cutover
import Logging
import Prometheus

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Takes the measurements the planner asks for (``ReleaseAction/measure(_:)``) against the
/// Rollout's Prometheus.
///
/// Promises:
/// - at most one measurement of a metric of a Rollout runs at a time; a query for a metric that is
///   still being measured is dropped (the planner asks again at its next reconcile);
/// - a metric's green and baseline queries are evaluated at the same instant;
/// - a slow or dead Prometheus costs the Rollout's `analysis.prometheus.timeout`, then an error
///   measurement; it never holds up other Rollouts (the actor is only held for bookkeeping);
/// - every failure becomes an `.error` measurement with a message, never a thrown error.
///
/// Two ways to use it: `await measure(_:for:)` for the results now, or ``submit(_:for:)`` from a
/// reconcile (never waits) with ``run(onMeasured:)`` running in the background and
/// ``takeMeasurements(for:)`` in the next reconcile.
public actor AnalysisRunner {
    private struct MetricKey: Hashable {
        var rollout: RolloutKey
        var metric: String
    }

    private struct Submission: Sendable {
        var queries: [MetricQuery]
        var rollout: Rollout
    }

    /// Measurements kept per Rollout until taken; older ones are dropped beyond this.
    public static let pendingLimit = 64

    private let secrets: any SecretReader
    private let observer: (any AnalysisObserver)?
    private let pool: PrometheusClientPool
    private let logger: Logger
    private let now: @Sendable () -> Date
    private let submissions: AsyncStream<Submission>
    private let submissionInput: AsyncStream<Submission>.Continuation
    private var inFlight: Set<MetricKey> = []
    private var pending = Handover<Measurement>(limit: AnalysisRunner.pendingLimit)
    private var latest: [MetricKey: MetricReading] = [:]

    /// - Parameters:
    ///   - secrets: reads the credentials a Rollout's `analysis.prometheus` names.
    ///   - observer: told about every measurement (operator metrics).
    ///   - now: the evaluation instant of a measurement; tests may pin it.
    public init(
        secrets: any SecretReader, observer: (any AnalysisObserver)? = nil,
        logger: Logger = Logger(label: "cutover.analysis"), now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.secrets = secrets
        self.observer = observer
        self.logger = logger
        self.now = now
        self.pool = PrometheusClientPool(logger: logger)
        let (stream, input) = AsyncStream.makeStream(of: Submission.self)
        submissions = stream
        submissionInput = input
    }

    /// Measures `queries` for `rollout` now and returns one measurement per query that was not
    /// already being measured, in the order of `queries`. Returns early with nothing for a
    /// cancelled task.
    public func measure(_ queries: [MetricQuery], for rollout: Rollout) async -> [Measurement] {
        let key = RolloutKey(rollout)
        let claimed = queries.filter { inFlight.insert(MetricKey(rollout: key, metric: $0.metric)).inserted }
        guard !claimed.isEmpty else { return [] }
        let started = ContinuousClock.now
        let time = now()
        let measurements = await Self.take(
            claimed, source: rollout.spec.analysis?.prometheus, namespace: key.namespace, at: time, secrets: secrets, pool: pool)
        for query in claimed { inFlight.remove(MetricKey(rollout: key, metric: query.metric)) }
        guard !Task.isCancelled else { return [] }
        let duration = ContinuousClock.now - started
        for measurement in measurements { record(measurement, rollout: key, duration: duration) }
        return measurements
    }

    /// Queues `queries` for the background ``run(onMeasured:)``; returns at once.
    public nonisolated func submit(_ queries: [MetricQuery], for rollout: Rollout) {
        guard !queries.isEmpty else { return }
        submissionInput.yield(Submission(queries: queries, rollout: rollout))
    }

    /// Measures submissions concurrently until the calling task is cancelled, then shuts the
    /// Prometheus clients down. `onMeasured` is called with a Rollout's key once new measurements
    /// for it wait in ``takeMeasurements(for:)``: enqueue it for reconcile.
    public func run(onMeasured: @escaping @Sendable (RolloutKey) -> Void) async {
        await withDiscardingTaskGroup { group in
            for await submission in submissions {
                group.addTask {
                    let measurements = await self.measure(submission.queries, for: submission.rollout)
                    guard !measurements.isEmpty else { return }
                    let key = RolloutKey(submission.rollout)
                    await self.keep(measurements, for: key)
                    onMeasured(key)
                }
            }
        }
        await pool.shutdown()
    }

    /// Shuts the Prometheus clients down; for users of ``measure(_:for:)`` without ``run(onMeasured:)``.
    public func shutdown() async {
        submissionInput.finish()
        await pool.shutdown()
    }

    /// The measurements taken for `rollout` since the last call, oldest first; pass them in the
    /// next ``ReleaseSnapshot``.
    public func takeMeasurements(for rollout: RolloutKey) -> [Measurement] {
        pending.take(for: rollout)
    }

    /// Gives back measurements taken by ``takeMeasurements(for:)`` whose status write did not
    /// succeed (a 409 Conflict, a failed action before it), so the next reconcile plans with them
    /// again. They go before any taken since, keeping the oldest-first order; beyond
    /// ``pendingLimit`` the oldest are dropped, as in ``run(onMeasured:)``.
    public func putBack(_ measurements: [Measurement], for rollout: RolloutKey) {
        pending.putBack(measurements, for: rollout)
    }

    /// The latest reading of every metric of every Rollout, for operator metrics.
    public func readings() -> [RolloutKey: [String: MetricReading]] {
        var result: [RolloutKey: [String: MetricReading]] = [:]
        for (key, reading) in latest { result[key.rollout, default: [:]][key.metric] = reading }
        return result
    }

    /// Whether a measurement of `metric` of `rollout` is running now.
    public func isMeasuring(_ rollout: RolloutKey, metric: String) -> Bool {
        inFlight.contains(MetricKey(rollout: rollout, metric: metric))
    }

    /// Drops what is kept about a deleted Rollout (pending measurements, readings).
    public func forget(_ rollout: RolloutKey) {
        pending.forget(rollout)
        latest = latest.filter { $0.key.rollout != rollout }
    }

    private func keep(_ measurements: [Measurement], for rollout: RolloutKey) {
        pending.append(measurements, for: rollout)
    }

    private func record(_ measurement: Measurement, rollout: RolloutKey, duration: Duration) {
        let key = MetricKey(rollout: rollout, metric: measurement.metric)
        var reading = latest[key] ?? MetricReading(at: measurement.at)
        reading.at = measurement.at
        reading.value = measurement.value.number
        reading.baseline = measurement.baseline?.number
        reading.lastError = measurement.value.errorMessage ?? measurement.baseline?.errorMessage
        if let error = reading.lastError {
            reading.errors += 1
            logger.warning(
                "measurement failed: \(error)",
                metadata: ["namespace": "\(rollout.namespace)", "rollout": "\(rollout.name)", "metric": "\(measurement.metric)"])
        }
        latest[key] = reading
        observer?.measurementTaken(measurement, rollout: rollout, duration: duration)
    }

    /// Runs the claimed queries concurrently; a configuration problem fails all of them alike.
    private static func take(
        _ queries: [MetricQuery], source: PrometheusSource?, namespace: String, at time: Date,
        secrets: any SecretReader, pool: PrometheusClientPool
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
        async let green = sample(query.query, client: client, at: time)
        var blue: Measurement.Sample?
        if let baseline = query.baseline { blue = await sample(baseline, client: client, at: time) }
        return await query.measurement(at: time, value: green, baseline: blue)
    }

    private static func sample(_ promql: String, client: PrometheusClient, at time: Date) async -> Measurement.Sample {
        do {
            return try await client.query(promql, at: time).result.measurementSample
        } catch {
            return .error(String(describing: error))
        }
    }
}

extension Measurement.Sample {
    /// The number, for a value that is one (NaN is not).
    var number: Double? {
        if case .value(let value) = self, !value.isNaN { return value }
        return nil
    }

    /// The message of an error.
    var errorMessage: String? {
        if case .error(let message) = self { return message }
        return nil
    }
}
