import Logging
import Prometheus

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One ``PrometheusClient`` per distinct configuration, so connections are reused across
/// measurements and Rollouts that query the same Prometheus the same way. A client unused for
/// ``idleLimit`` is shut down (its Rollout is gone or its credentials changed).
actor PrometheusClientPool {
    private struct Entry {
        var client: PrometheusClient
        var lastUsed: ContinuousClock.Instant
    }

    private var entries: [PrometheusConfiguration: Entry] = [:]
    private let idleLimit: Duration
    private let logger: Logger

    init(idleLimit: Duration = .seconds(600), logger: Logger) {
        self.idleLimit = idleLimit
        self.logger = logger
    }

    /// The client for `configuration`, made on first use.
    func client(for configuration: PrometheusConfiguration) async throws -> PrometheusClient {
        let now = ContinuousClock.now
        await evictIdle(now: now)
        if var entry = entries[configuration] {
            entry.lastUsed = now
            entries[configuration] = entry
            return entry.client
        }
        let client = try PrometheusClient(configuration: configuration, logger: logger)
        entries[configuration] = Entry(client: client, lastUsed: now)
        return client
    }

    /// Shuts every client down.
    func shutdown() async {
        let clients = entries.values.map(\.client)
        entries.removeAll()
        for client in clients { try? await client.shutdown() }
    }

    private func evictIdle(now: ContinuousClock.Instant) async {
        let idle = entries.filter { now - $0.value.lastUsed > idleLimit }
        guard !idle.isEmpty else { return }
        for key in idle.keys { entries[key] = nil }
        // A query still running on an evicted client fails with a transport error, which the
        // next interval retries; eviction after 10 idle minutes makes that practically impossible.
        for entry in idle.values { try? await entry.client.shutdown() }
    }
}
