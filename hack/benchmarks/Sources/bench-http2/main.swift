// HTTP/1.1 vs HTTP/2 for KubeAPI: N concurrent watches plus a burst of list/patch requests against a
// KubeSim over TLS on loopback, the simulator in a child process so the figures are the client's.
//
//   swift run -c release --package-path hack/benchmarks bench-http2
//
// For each protocol (KubeClient.Options.httpVersion .http1 and .http2IfOffered) and each N:
//   - time until all N watches delivered their first event (each starts from "now": ADDED seed);
//   - the client's TCP connections (sockets in /proc/self/fd) and RSS once they are all open;
//   - a burst of 100 lists + 100 merge patches (10 at a time) under the watches: latency p50/p99/max;
//   - how long until every watch saw the burst's last patch (fan-out of 100 events to N watches);
//   - the client's CPU seconds for all of that (valgrind 3.19 here cannot run it: DWARF 5, clone3).
// Watches that cannot open within the request timeout (30 s) are counted, not retried.
//
// Environment: BENCH_WATCHES (default "100,1000"), BENCH_PROTOCOLS (default "http1,http2"),
// BENCH_MAX_STREAMS (the server's SETTINGS_MAX_CONCURRENT_STREAMS, default 100 as kube-apiserver),
// BENCH_REQUESTS (lists + patches in the burst, default 200). `bench-http2 serve DIR STREAMS` is the child.
import Foundation
import KubeAPI
import KubeModels
import KubeSim

/// Writes a line at once (print is block-buffered when the output is a file).
func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }

let environment = ProcessInfo.processInfo.environment

// MARK: The simulator child

if CommandLine.arguments.count >= 4, CommandLine.arguments[1] == "serve" {
    let directory = CommandLine.arguments[2]
    var options = KubeSim.Options()
    options.simulateWorkloads = false
    options.garbageCollection = false
    options.http2MaxConcurrentStreams = Int(CommandLine.arguments[3]) ?? 100
    let sim = try await KubeSim.start(options)
    try sim.writeKubeconfig(to: directory + "/kubeconfig")
    FileManager.default.createFile(atPath: directory + "/ready", contents: Data())
    // Serves until the parent ends it.
    while true { try await Task.sleep(for: .seconds(3600)) }
}

// MARK: Measuring the client

func procStatus(_ key: String) -> Double {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
        let line = status.split(separator: "\n").first(where: { $0.hasPrefix(key + ":") })
    else { return 0 }
    return Double(line.split(separator: " ").dropFirst().first ?? "0").map { $0 / 1024 } ?? 0
}

/// Open TCP sockets of this process (every AHC connection is one).
func openSockets() -> Int {
    let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
    return fds.filter { ((try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\($0)")) ?? "").hasPrefix("socket:") }.count
}

/// CPU seconds (user + system) this process has used: steadier than wall time on a shared machine.
func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [String: Int] = [:]
    func add(_ key: String) { lock.withLock { values[key, default: 0] += 1 } }
    func get(_ key: String) -> Int { lock.withLock { values[key, default: 0] } }
    var failures: [String] = []
    func fail(_ reason: String) { lock.withLock { values["failed", default: 0] += 1; if failures.count < 3 { failures.append(reason) } } }
}

/// Polls `condition` every 10 ms until it holds or `limit` passes; returns the time it took, nil on timeout.
func waitFor(_ limit: Duration, _ condition: () -> Bool) async -> Duration? {
    let start = ContinuousClock.now
    while !condition() {
        if ContinuousClock.now - start > limit { return nil }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return ContinuousClock.now - start
}

func startSimulator(maxStreams: Int) async throws -> (Process, String) {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bench-http2-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    let child = Process()
    child.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
    child.arguments = ["serve", directory, String(maxStreams)]
    try child.run()
    guard await waitFor(.seconds(60), { FileManager.default.fileExists(atPath: directory + "/ready") }) != nil else {
        fatalError("the simulator did not start")
    }
    return (child, directory + "/kubeconfig")
}

func run(protocolName: String, watches: Int, maxStreams: Int, requests: Int) async throws {
    let (child, kubeconfig) = try await startSimulator(maxStreams: maxStreams)
    defer { child.terminate(); child.waitUntilExit() }
    let config = try KubeConfig.detect(path: kubeconfig, context: nil)
    let version: KubeClient.Options.HTTPVersion = protocolName == "http2" ? .http2IfOffered : .http1
    let client = try KubeClient(config: config, options: .init(qps: 0, httpVersion: version))
    _ = try await client.create(ConfigMap(metadata: ObjectMeta(name: "seed", namespace: "default"), data: ["n": "0"]))
    let socketsBefore = openSockets()
    let rssBefore = procStatus("VmRSS")

    let counter = Counter()
    let cpuStart = cpuSeconds()
    let lastValue = "final"
    let watchers = (0..<watches).map { _ in
        Task {
            var first = true
            do {
                for try await update in client.watch(ConfigMap.self, namespace: "default", options: WatchOptions(timeoutSeconds: 600)) {
                    if first { counter.add("open"); first = false }
                    if update.object?.data?["n"] == lastValue { counter.add("sawLast") }
                }
            } catch is CancellationError {
            } catch {
                counter.fail(String(describing: error).prefix(160).description)
            }
        }
    }
    let establishLimit: Duration = .seconds(45)
    let established = await waitFor(establishLimit) { counter.get("open") + counter.get("failed") >= watches }
    let opened = counter.get("open")
    let establishText = established.map { String(format: "%.2f s", $0.seconds) } ?? "not within \(establishLimit)"
    let rssWatching = procStatus("VmRSS")
    let socketsWatching = openSockets() - socketsBefore

    // The burst: half lists, half patches (each patch is an event for every open watch), 10 at a time.
    let latencies = LatencyLog()
    let burstStart = ContinuousClock.now
    try await withThrowingTaskGroup(of: Void.self) { group in
        for worker in 0..<10 {
            group.addTask {
                for index in stride(from: worker, to: requests, by: 10) {
                    let start = ContinuousClock.now
                    if index % 2 == 0 {
                        _ = try await client.list(ConfigMap.self, namespace: "default")
                    } else {
                        _ = try await client.patch(ConfigMap.self, name: "seed", namespace: "default", patch: .merge(["data": ["n": .string("\(index / 2 + 1)")]]))
                    }
                    latencies.add(ContinuousClock.now - start)
                }
            }
        }
        try await group.waitForAll()
    }
    // One last patch with a value no other patch writes: its event marks the end of the fan-out.
    _ = try await client.patch(ConfigMap.self, name: "seed", namespace: "default", patch: .merge(["data": ["n": .string(lastValue)]]))
    let burst = ContinuousClock.now - burstStart
    let delivered = await waitFor(.seconds(60)) { counter.get("sawLast") >= opened }
    let socketsAfter = openSockets() - socketsBefore
    let cpuUsed = cpuSeconds() - cpuStart
    let peak = procStatus("VmHWM")

    let cancelStart = ContinuousClock.now
    for watcher in watchers { watcher.cancel() }
    for watcher in watchers { _ = await watcher.result }
    let cancelled = ContinuousClock.now - cancelStart
    try await client.shutdown()

    say("\(protocolName) N=\(watches) maxStreams=\(maxStreams): watches open \(opened)/\(watches) in \(establishText)"
        + (counter.get("failed") > 0 ? ", \(counter.get("failed")) failed (\(counter.failures.first ?? ""))" : ""))
    say(String(format: "  client sockets: %d with the watches open, %d after the burst; RSS %.1f MiB → %.1f MiB (+%.1f) with the watches, peak %.1f MiB",
               socketsWatching, socketsAfter, rssBefore, rssWatching, rssWatching - rssBefore, peak))
    let sorted = latencies.sorted()
    func percentile(_ p: Double) -> Double { sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] * 1000 }
    say(String(format: "  burst of %d requests: %.2f s; latency p50 %.1f ms, p99 %.1f ms, max %.1f ms; every watch saw the last patch %@; cancelling all watches %.2f s",
               requests, burst.seconds, percentile(0.5), percentile(0.99), (sorted.last ?? 0) * 1000,
               delivered.map { String(format: "%.2f s after the burst", $0.seconds) } ?? "NOT within 60 s", cancelled.seconds))
    say(String(format: "  client CPU (user + system) from the first watch to the end of the fan-out: %.2f s", cpuUsed))
}

final class LatencyLog: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [Double] = []
    func add(_ duration: Duration) { lock.withLock { values.append(duration.seconds) } }
    func sorted() -> [Double] { lock.withLock { values.sorted() } }
}

let counts = (environment["BENCH_WATCHES"] ?? "100,1000").split(separator: ",").compactMap { Int($0) }
let protocols = (environment["BENCH_PROTOCOLS"] ?? "http1,http2").split(separator: ",").map(String.init)
let maxStreams = Int(environment["BENCH_MAX_STREAMS"] ?? "") ?? 100
let requests = Int(environment["BENCH_REQUESTS"] ?? "") ?? 200
for count in counts {
    for protocolName in protocols {
        try await run(protocolName: protocolName, watches: count, maxStreams: maxStreams, requests: requests)
    }
}
