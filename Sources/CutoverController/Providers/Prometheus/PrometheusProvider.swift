import Cutover
import Logging
import Prometheus

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Measures Prometheus metrics against the Rollout's `analysis.prometheus`: a metric's green and
/// baseline queries are evaluated at the same instant, concurrently; a configuration problem
/// (an unreadable credential Secret) fails all of the Rollout's queries alike.
final class PrometheusProvider: MetricProvider {
    private let secrets: any SecretReader
    private let pool: PrometheusClientPool
    private let policy: OutboundPolicy

    init(secrets: any SecretReader, policy: OutboundPolicy, logger: Logger) {
        self.secrets = secrets
        self.policy = policy
        self.pool = PrometheusClientPool(logger: logger)
    }

    func shutdown() async {
        await pool.shutdown()
    }

    func measure(_ queries: [MetricQuery], for rollout: Rollout, at time: Date) async -> [Measurement] {
        func failed(_ message: String) -> [Measurement] {
            queries.map { $0.measurement(at: time, value: .error(message), baseline: .error(message)) }
        }
        let configuration: PrometheusConfiguration
        do {
            configuration = try await (rollout.spec.analysis?.prometheus ?? PrometheusSource(address: ""))
                .clientConfiguration(namespace: rollout.metadata.namespace ?? "", secrets: secrets)
        } catch {
            return failed(String(describing: error))
        }
        let pool = self.pool, policy = self.policy
        return await measureEach(queries) { query in
            guard case .prometheus(let prometheus) = query.source else { return nil }
            var perQuery = configuration
            if !prometheus.address.isEmpty { perQuery.address = prometheus.address }
            if let refusal = await policy.refusal(of: perQuery.address, for: .prometheus) {
                return query.measurement(at: time, value: .error(refusal), baseline: .error(refusal))
            }
            let client: PrometheusClient
            do {
                client = try await pool.client(for: perQuery)
            } catch {
                return query.measurement(at: time, value: .error("\(error)"), baseline: .error("\(error)"))
            }
            return await Self.measureOne(query, prometheus, client: client, at: time)
        }
    }

    /// Green and baseline at the same instant, concurrently.
    private static func measureOne(_ query: MetricQuery, _ prometheus: PrometheusQuery, client: PrometheusClient, at time: Date) async -> Measurement {
        async let green = sample(prometheus.query, sampled: prometheus.sampled, client: client, at: time)
        var blue: Measurement.Sample?
        if let baseline = prometheus.baseline { blue = await sample(baseline, sampled: prometheus.sampled, client: client, at: time) }
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
