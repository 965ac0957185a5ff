import KubeModels

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Simulated client traffic: every Service annotated with ``SimAnnotations/requestsPerSecond``
/// sends that many requests per second, spread evenly over the Ready pods its selector matches in
/// its namespace (as kube-proxy spreads connections over endpoints). Each pod answers with the
/// error rate (``SimAnnotations/errorRate``, answered as 500) and mean latency
/// (``SimAnnotations/latencyMilliseconds``, ±20% uniform jitter) its annotations ask for.
///
/// Deterministic for a seed and a sequence of ``advance(services:pods:to:)`` calls. Fractions of a
/// request are carried to the next call, so over time every Service sends exactly `rps × elapsed`.
/// Requests of a Service with no Ready pod are lost (there is no pod to count them on).
///
/// Series of a pod that no longer exists are kept for ``retention`` and then dropped, as a
/// per-pod exporter's series vanish with its pod; Prometheus's `rate()` copes with both.
///
/// A value type: the server keeps it behind its own lock or actor.
public struct TrafficSimulator: Sendable {
    /// Mean latency of a pod whose template does not say.
    public static let defaultLatencyMilliseconds: Double = 20

    /// How long series of a vanished pod are still exposed.
    public var retention: TimeInterval
    /// `http_requests_total` by series.
    public private(set) var requests: [RequestSeries: Int64] = [:]
    /// `http_request_duration_seconds` by series (the same labels, `code` included).
    public private(set) var durations: [RequestSeries: LatencyHistogram] = [:]
    /// When traffic was last advanced; `nil` before the first call.
    public private(set) var lastAdvance: Date?

    private var random: SeededGenerator
    private var carry: [ServiceKey: Double] = [:]
    private var rotation: [ServiceKey: Int] = [:]
    private var podLastSeen: [ServiceKey: Date] = [:]

    /// `namespace/name` of a Service or a pod.
    private struct ServiceKey: Hashable, Sendable {
        var namespace: String
        var name: String
    }

    /// A simulator whose request outcomes and latencies are fixed by `seed`.
    public init(seed: UInt64 = 1, retention: TimeInterval = 300) {
        random = SeededGenerator(seed: seed)
        self.retention = retention
    }

    /// Sends the requests of the time between the previous call and `now`. The first call only
    /// starts the clock; a `now` earlier than the previous one is ignored.
    public mutating func advance(services: [JSONValue], pods: [JSONValue], to now: Date) {
        defer { forgetVanishedPods(pods, now: now) }
        guard let last = lastAdvance else {
            lastAdvance = now
            return
        }
        guard now > last else { return }
        lastAdvance = now
        let elapsed = now.timeIntervalSince(last)

        var readyPods: [String: [JSONValue]] = [:]
        for pod in pods where !pod.simIsTerminating && pod.simIsReadyPod {
            readyPods[pod.simNamespace, default: []].append(pod)
        }
        for namespace in readyPods.keys { readyPods[namespace]!.sort { $0.simName < $1.simName } }

        let ordered = services.sorted {
            ($0.simNamespace, $0.simName) < ($1.simNamespace, $1.simName)
        }
        for service in ordered {
            guard let text = service.simAnnotations[SimAnnotations.requestsPerSecond], let rps = Double(text), rps > 0,
                let selector = service[path: ["spec", "selector"]]?.simStringMap, !selector.isEmpty
            else { continue }
            let key = ServiceKey(namespace: service.simNamespace, name: service.simName)
            let wanted = rps * elapsed + carry[key, default: 0]
            let whole = wanted.rounded(.down)
            carry[key] = wanted - whole
            let targets = (readyPods[key.namespace] ?? []).filter { pod in
                let labels = pod.simLabels
                return selector.allSatisfy { labels[$0.key] == $0.value }
            }
            guard !targets.isEmpty, whole >= 1 else { continue }
            spread(Int(whole), over: targets, service: key)
        }
    }

    /// Splits `total` evenly; the remainder goes round-robin from where the last call stopped.
    private mutating func spread(_ total: Int, over targets: [JSONValue], service: ServiceKey) {
        let share = total / targets.count
        let extra = total % targets.count
        let start = rotation[service, default: 0] % targets.count
        rotation[service] = (start + extra) % targets.count
        for (offset, pod) in targets.enumerated() {
            let position = (offset - start + targets.count) % targets.count
            let count = share + (position < extra ? 1 : 0)
            if count > 0 { serve(count, by: pod, service: service) }
        }
    }

    private mutating func serve(_ count: Int, by pod: JSONValue, service: ServiceKey) {
        let annotations = pod.simAnnotations
        let errorRate = min(1, max(0, annotations[SimAnnotations.errorRate].flatMap(Double.init) ?? 0))
        let meanLatency = max(0, annotations[SimAnnotations.latencyMilliseconds].flatMap(Double.init)
            ?? TrafficSimulator.defaultLatencyMilliseconds) / 1000
        let revision = pod.simLabels[SimAnnotations.revisionLabel] ?? ""
        let ok = RequestSeries(
            namespace: service.namespace, service: service.name, pod: pod.simName, revision: revision, code: 200)
        var failed = ok
        failed.code = 500
        var okCount: Int64 = 0
        var failedCount: Int64 = 0
        var okLatency = durations[ok] ?? LatencyHistogram()
        var failedLatency = durations[failed] ?? LatencyHistogram()
        for _ in 0..<count {
            let isError = random.nextUnit() < errorRate
            let latency = meanLatency * (0.8 + 0.4 * random.nextUnit())
            if isError {
                failedCount += 1
                failedLatency.observe(latency)
            } else {
                okCount += 1
                okLatency.observe(latency)
            }
        }
        if okCount > 0 {
            requests[ok, default: 0] += okCount
            durations[ok] = okLatency
        }
        if failedCount > 0 {
            requests[failed, default: 0] += failedCount
            durations[failed] = failedLatency
        }
    }

    private mutating func forgetVanishedPods(_ pods: [JSONValue], now: Date) {
        for pod in pods {
            podLastSeen[ServiceKey(namespace: pod.simNamespace, name: pod.simName)] = now
        }
        let cutoff = now.addingTimeInterval(-retention)
        let gone = Set(podLastSeen.filter { $0.value < cutoff }.map(\.key))
        guard !gone.isEmpty else { return }
        for key in gone { podLastSeen[key] = nil }
        func vanished(_ series: RequestSeries) -> Bool {
            gone.contains(ServiceKey(namespace: series.namespace, name: series.pod))
        }
        requests = requests.filter { !vanished($0.key) }
        durations = durations.filter { !vanished($0.key) }
    }

    /// The Prometheus text exposition (format 0.0.4) of every series; serve it with
    /// ``MetricsExposition/contentType``.
    public func exposition() -> String {
        MetricsExposition.render(requests: requests, durations: durations)
    }
}
