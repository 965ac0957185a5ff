// Writes as a controller sends them to KubeSim over TLS: Service selector merge patches through
// KubeAPI's client, one at a time and 15 at once (a ReleaseGroup's revert), for requests over
// HTTP/1.1 (a connection per request in flight, the client's default) and over HTTP/2 (one
// multiplexed connection). The first burst of 15 is timed apart: over HTTP/1.1 it opens a TLS
// connection per request beyond the ones already open. Then the server's own cost of a Rollout
// status write (PUT .../status in process: CRD schema processing, managed fields, storage, the
// answer), with a status as the controller writes it in a group release.
//   swift run -c release --package-path hack/benchmarks bench-sim-writes    # from the repository (reads crds/)
// Environment: BENCH_ROUNDS (default 200).
import BenchSupport
import Foundation
import KubeAPI
import KubeModels
import KubeSim

let rounds = Int(ProcessInfo.processInfo.environment["BENCH_ROUNDS"] ?? "200") ?? 200
let width = 15

func milliseconds(_ duration: Duration) -> Double { duration.seconds * 1000 }

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

/// Rollout status writes, in process: what KubeSim spends on each.
func statusWrites() async throws {
    var options = KubeSim.Options()
    options.simulateWorkloads = false
    options.crdDirectory = "crds"
    let sim = try await KubeSim.start(options)
    var rollout = try JSONParser.parse(sampleRollout)
    let status = rollout["status"]
    rollout["status"] = nil
    let created = await sim.request("POST", "/apis/cutover.dev/v1alpha1/namespaces/default/rollouts", body: rollout)
    precondition(created.status == 201, "create: \(created)")
    var current = created.body
    var samples: [Duration] = []
    for round in 0..<rounds {
        var body = current
        body["status"] = status
        body["status"]?["message"] = .string("round \(round)")
        let started = ContinuousClock.now
        let result = await sim.request("PUT", "/apis/cutover.dev/v1alpha1/namespaces/default/rollouts/checkout/status", body: body)
        samples.append(ContinuousClock.now - started)
        precondition(result.status == 200, "status: \(result)")
        current = result.body
    }
    say("Rollout status write (\(sampleRollout.count / 1024) KiB object), server side: \(summary(samples))")
    try await sim.stop()
}

/// A member of a reverted group release, as the controller left it (from a bench-group-revert run).
let sampleRollout = #"""
{"apiVersion":"cutover.dev/v1alpha1","kind":"Rollout","metadata":{"labels":{"cutover.dev/group":"shop"},"name":"checkout","namespace":"default"},"spec":{"analysis":{"interval":"10s","metrics":[{"errorLimit":4,"failureLimit":0,"inconclusiveLimit":10,"max":0.05,"name":"error-rate","noData":"Inconclusive","query":"(sum(rate(http_requests_total{namespace=\"{{namespace}}\",revision=\"{{green}}\",code=~\"5..\"}[1m])) or vector(0)) / sum(rate(http_requests_total{namespace=\"{{namespace}}\",revision=\"{{green}}\"}[1m]))"}],"prometheus":{"address":"http://127.0.0.1:32997","timeout":"10s"}},"minReadySeconds":0,"progressDeadlineSeconds":120,"releaseHistoryLimit":5,"replicas":3,"revisionHistoryLimit":3,"selector":{"matchLabels":{"app":"checkout"}},"services":{"active":"checkout","preview":"checkout-preview"},"strategy":{"approval":"Automatic","canary":{"steps":[{"pause":"30s","weight":20},{"pause":"30s","weight":50}]},"holdWindow":"1m"},"template":{"metadata":{"annotations":{"sim.cutover.dev/ready-after":"1s"},"labels":{"app":"checkout"}},"spec":{"containers":[{"image":"registry.example.com/checkout:2.0.0","name":"app"}]}}},"status":{"abort":{"at":"2026-12-06T22:44:46Z","limit":0.05,"member":"payment","message":"group shop reverted: payment: error-rate 0.1554 > max 0.05","metric":"error-rate","reason":"GroupReverted","revision":"q8rwvmmnr8","value":0.1553902767699803},"activeRevision":"c7vz77p6q7","analysis":[{"breaches":0,"consecutiveErrors":0,"consecutiveInconclusive":0,"history":[{"at":"2026-12-06T22:44:46Z","message":"error-rate 0 \u2264 0.05","revision":"q8rwvmmnr8","value":0,"verdict":"Pass"}],"lastMeasuredAt":"2026-12-06T22:44:46Z","lastPassAt":"2026-12-06T22:44:46Z","name":"error-rate"}],"conditions":[{"lastTransitionTime":"2026-12-06T22:44:34Z","message":"c7vz77p6q7 has 3/3 ready pods","observedGeneration":2,"reason":"MinimumReplicasAvailable","status":"True","type":"Available"},{"lastTransitionTime":"2026-12-06T22:44:46Z","message":"group shop reverted: payment: error-rate 0.1554 > max 0.05","observedGeneration":2,"reason":"GroupReverted","status":"False","type":"Progressing"},{"lastTransitionTime":"2026-12-06T22:44:33Z","message":"not paused","observedGeneration":2,"reason":"NotPaused","status":"False","type":"Paused"},{"lastTransitionTime":"2026-12-06T22:44:34Z","message":"the template is not the active revision yet","observedGeneration":2,"reason":"RolledBack","status":"False","type":"Completed"},{"lastTransitionTime":"2026-12-06T22:44:46Z","message":"group shop reverted: payment: error-rate 0.1554 > max 0.05","observedGeneration":2,"reason":"GroupReverted","status":"True","type":"RolledBack"},{"lastTransitionTime":"2026-12-06T22:44:33Z","message":"the spec is valid","observedGeneration":2,"reason":"Valid","status":"False","type":"InvalidSpec"}],"group":{"name":"shop"},"history":[{"endedAt":"2026-12-06T22:44:34Z","images":["app=registry.example.com/checkout:1.0.0"],"message":"first revision c7vz77p6q7 is ready and serving","outcome":"Promoted","reason":"Available","revision":"c7vz77p6q7","startedAt":"2026-12-06T22:44:33Z","startedBy":"kube-sim","timeline":[{"at":"2026-12-06T22:44:33Z","message":"releasing c7vz77p6q7 (first revision)","type":"Started"},{"at":"2026-12-06T22:44:34Z","message":"first revision c7vz77p6q7 is ready and serving","type":"Completed"}]},{"blueRevision":"c7vz77p6q7","endedAt":"2026-12-06T22:44:46Z","images":["app=registry.example.com/checkout:2.0.0"],"measurements":[{"at":"2026-12-06T22:44:46Z","breaches":0,"metric":"error-rate","value":0,"verdict":"Pass"}],"message":"group shop reverted: payment: error-rate 0.1554 > max 0.05","outcome":"RolledBack","reason":"GroupReverted","revision":"q8rwvmmnr8","startedAt":"2026-12-06T22:44:34Z","startedBy":"kube-sim","timeline":[{"at":"2026-12-06T22:44:34Z","message":"releasing q8rwvmmnr8 (blue c7vz77p6q7)","type":"Started"},{"at":"2026-12-06T22:44:36Z","message":"step 1/2: 20% of traffic to q8rwvmmnr8","step":1,"type":"StepReached","weight":20},{"at":"2026-12-06T22:44:46Z","limit":0.05,"message":"q8rwvmmnr8 rolled back: group shop reverted: payment: error-rate 0.1554 > max 0.05","metric":"error-rate","reason":"GroupReverted","type":"RolledBack","value":0.1553902767699803}]}],"message":"rolled back: group shop reverted: payment: error-rate 0.1554 > max 0.05","observedGeneration":2,"paused":false,"phase":"RolledBack","releaseStartedAt":"2026-12-06T22:44:34Z","replicas":3,"rolledBackRevision":"q8rwvmmnr8","selector":"app=checkout","traffic":"Blue","weight":0}}
"""#

try await run(.http1, name: "requests over HTTP/1.1")
try await run(.http2IfOffered, name: "requests over HTTP/2  ")
try await statusWrites()
