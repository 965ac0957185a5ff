import ClusterHarness
import Cutover
import CutoverController
import Foundation
import KubeModels

#if canImport(Glibc)
import Glibc
#endif

/// How much later than its timeout a query may end in a test. Generous because `swift test` runs
/// every target's tests in one process, and CPU-bound tests elsewhere can hold the cooperative
/// thread pool (two threads on a two-core machine) for many seconds; a hang still fails, by the
/// `.timeLimit` on the tests and by this bound.
let schedulingSlack: Duration = .seconds(10)

/// Foundation has a `Measurement` too; tests mean Cutover's.
typealias Measurement = Cutover.Measurement

/// Rollouts and queries for the analysis tests.
enum AnalysisFixture {
    static func rollout(
        _ name: String = "payment", namespace: String = "prod", prometheus: PrometheusSource, metrics: [MetricSpec] = []
    ) -> Rollout {
        let spec = RolloutSpec(
            replicas: 3, selector: LabelSelector(matchLabels: ["app": name]),
            template: PodTemplateSpec(metadata: ObjectMeta(labels: ["app": name]), spec: ["containers": [["name": "app", "image": "app:1"]]]),
            services: RolloutServices(active: name),
            analysis: AnalysisSpec(prometheus: prometheus, interval: "5s", metrics: metrics))
        return Rollout(metadata: ObjectMeta(name: name, namespace: namespace), spec: spec)
    }

    static func query(_ metric: String, _ promql: String, baseline: String? = nil, address: String = "", sampled: Bool = false) -> MetricQuery {
        MetricQuery(metric: metric, revision: "green1", address: address, query: promql, baseline: baseline, sampled: sampled)
    }
}

/// A TCP port that accepts connections (the kernel completes them into the backlog) and never
/// answers: a hung Prometheus, without a process to stop.
final class BlackHoleListener: @unchecked Sendable {
    let port: Int
    private let fd: Int32

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0, listen(fd, 64) == 0 else {
            close(fd)
            throw WaitTimedOut(description: "cannot listen on loopback")
        }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        self.fd = fd
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    var address: String { "http://127.0.0.1:\(port)" }

    deinit { close(fd) }
}

/// Collects what the runner reports, for the operator-metrics hook.
final class CollectingObserver: AnalysisObserver, @unchecked Sendable {
    private let lock = NSLock()
    private var seen: [(RolloutKey, Measurement)] = []

    var measurements: [(RolloutKey, Measurement)] { lock.withLock { seen } }

    func measurementTaken(_ measurement: Measurement, rollout: RolloutKey, duration: Duration) {
        lock.withLock { seen.append((rollout, measurement)) }
    }
}
