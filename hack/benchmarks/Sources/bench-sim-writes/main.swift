// Writes as a controller sends them to KubeSim over TLS: Service selector merge patches through
// KubeAPI's client, one at a time and 15 at once (a ReleaseGroup's revert), for requests over
// HTTP/1.1 (a connection per request in flight, the client's default) and over HTTP/2 (one
// multiplexed connection). The first burst of 15 is timed apart: over HTTP/1.1 it opens a TLS
// connection per request beyond the ones already open.
//   swift run -c release --package-path hack/benchmarks bench-sim-writes
// Environment: BENCH_ROUNDS (default 200).
import BenchSupport
import Foundation
import KubeAPI
import KubeModels
import KubeSim

let rounds = Int(ProcessInfo.processInfo.environment["BENCH_ROUNDS"] ?? "200") ?? 200
let width = 15

func milliseconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) * 1e3 + Double(duration.components.attoseconds) / 1e15
}

func summary(_ samples: [Duration]) -> String {
    let sorted = samples.map(milliseconds).sorted()
    return String(format: "median %.2f ms, p90 %.2f ms", sorted[sorted.count / 2], sorted[sorted.count * 9 / 10])
}

func run(_ version: KubeClient.Options.HTTPVersion, name: String) async throws {
    var options = KubeSim.Options()
    options.simulateWorkloads = false
    let sim = try await KubeSim.start(options)
    let kubeconfig = FileManager.default.temporaryDirectory.appendingPathComponent("bench-sim-writes-\(getpid())").path
    try sim.writeKubeconfig(to: kubeconfig)
    // No client-side rate limit: the benchmark times the server and the connection, not the bucket.
    let client = try KubeClient(config: try KubeConfig.load(path: kubeconfig), options: KubeClient.Options(qps: 0, httpVersion: version))
    try? FileManager.default.removeItem(atPath: kubeconfig)
    for index in 0..<width {
        let service: JSONValue = [
            "apiVersion": "v1", "kind": "Service", "metadata": ["name": .string("svc-\(index)")],
            "spec": ["selector": ["app": .string("svc-\(index)")], "ports": [["port": 80, "targetPort": 8080]]],
        ]
        let result = await sim.request("POST", "/api/v1/namespaces/default/services", body: service)
        precondition(result.status == 201, "create: \(result)")
    }
    // Two Service watches, as a controller's and an observer's.
    let watchers = (0..<2).map { _ in
        Task { for try await _ in client.watch(Service.self, namespace: nil, options: WatchOptions(timeoutSeconds: 3600)) {} }
    }
    while sim.openWatches < 2 { try await Task.sleep(for: .milliseconds(10)) }

    func patch(_ index: Int, _ round: Int) async throws {
        let body: JSONValue = ["spec": ["selector": ["cutover.dev/revision": .string("rev-\(round % 2)")]]]
        _ = try await client.patch(Service.self, name: "svc-\(index)", namespace: "default", patch: .merge(body), fieldManager: "bench")
    }
    func burst(_ round: Int) async throws -> Duration {
        let started = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<width { group.addTask { try await patch(index, round) } }
            try await group.waitForAll()
        }
        return ContinuousClock.now - started
    }

    var serial: [Duration] = []
    for round in 0..<rounds {
        let started = ContinuousClock.now
        try await patch(round % width, round)
        serial.append(ContinuousClock.now - started)
    }
    let first = try await burst(0)
    var bursts: [Duration] = []
    for round in 1...max(1, rounds / 4) { bursts.append(try await burst(round)) }
    let counts = sim.connectionCounts
    say("\(name): one patch at a time \(summary(serial)); first burst of \(width) \(String(format: "%.2f ms", milliseconds(first))); "
        + "later bursts \(summary(bursts)); connections HTTP/1.1 \(counts.http1), HTTP/2 \(counts.http2)")
    for watcher in watchers { watcher.cancel() }
    try await client.shutdown()
    try await sim.stop()
}

try await run(.http1, name: "requests over HTTP/1.1")
try await run(.http2IfOffered, name: "requests over HTTP/2  ")
