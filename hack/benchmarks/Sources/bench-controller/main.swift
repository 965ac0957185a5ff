// Scale benchmark for cutover-controller: N Rollouts in KubeSim (simulated Deployments, no traffic),
// the release-built controller as a separate process. Reports, for N = 1,000 and 10,000:
//   - time until every Rollout is Healthy after the first deploy, and after a release of all N;
//   - the controller's API requests per release, by verb and resource (from KubeSim's /sim/stats,
//     which counts only requests from outside the simulator, i.e. the controller's);
//   - the controller's peak RSS (VmHWM) and CPU seconds (utime + stime).
//
//   swift build -c release --package-path hack/benchmarks --product cutover-controller
//   swift run -c release --package-path hack/benchmarks bench-controller
//
// Environment: BENCH_COUNTS (default "1000,10000"), CONTROLLER (path of the binary; default the
// release build next to this benchmark), BENCH_QPS / BENCH_WORKERS (controller flags; default
// 1000 / 8: the simulator answers in-process, so the default 50 QPS would only measure the limiter),
// BENCH_FAULTS (a fraction, e.g. 0.05: that share of the controller's requests fail from its start,
// three in five with a 500, the rest with a 429 and Retry-After: 1).
import BenchSupport
import Foundation
import KubeModels
import KubeSim

let environment = ProcessInfo.processInfo.environment
let counts = (environment["BENCH_COUNTS"] ?? "1000,10000").split(separator: ",").compactMap { Int($0) }
let qps = environment["BENCH_QPS"] ?? "1000"
let workers = environment["BENCH_WORKERS"] ?? "8"
let faultFraction = Double(environment["BENCH_FAULTS"] ?? "") ?? 0
let namespaces = 100

func service(_ name: String, app: String) -> JSONValue {
    [
        "apiVersion": "v1", "kind": "Service", "metadata": ["name": .string(name)],
        "spec": ["selector": ["app": .string(app)], "ports": [["port": 80, "targetPort": 8080]]],
    ]
}

func rollout(_ name: String, image: String) -> JSONValue {
    [
        "apiVersion": "cutover.dev/v1alpha1", "kind": "Rollout", "metadata": ["name": .string(name)],
        "spec": [
            "replicas": 1, "selector": ["matchLabels": ["app": .string(name)]],
            "template": [
                "metadata": ["labels": ["app": .string(name)], "annotations": ["sim.cutover.dev/ready-after": "500ms"]],
                "spec": ["containers": [["name": "app", "image": .string(image)]]],
            ],
            "services": ["active": .string(name), "preview": .string("\(name)-preview")],
            "strategy": ["holdWindow": "0s"],
        ],
    ]
}

/// The controller's /proc figures: peak RSS in MiB and CPU seconds.
func processFigures(_ pid: Int32) -> (peakMiB: Double, cpuSeconds: Double) {
    let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
    let hwm = status.split(separator: "\n").first { $0.hasPrefix("VmHWM") }
        .flatMap { $0.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first }.flatMap { Double($0) } ?? 0
    let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
    // Fields after the command name (which may hold spaces) start at ")"; utime and stime are 14 and 15.
    let fields = stat.split(separator: ")").last?.split(separator: " ") ?? []
    let ticks = fields.count > 13 ? (Double(fields[11]) ?? 0) + (Double(fields[12]) ?? 0) : 0
    return (hwm / 1024, ticks / Double(sysconf(Int32(_SC_CLK_TCK))))
}

/// Waits until every Rollout reports Healthy for `revisionOf` its current template; returns seconds.
func waitAllHealthy(_ sim: KubeSim, controller: Process, count: Int, since start: Date, limit: TimeInterval) async throws -> Double {
    while true {
        guard controller.isRunning else { fatalError("cutover-controller exited with status \(controller.terminationStatus)") }
        let (_, list) = await sim.request("GET", "/apis/cutover.dev/v1alpha1/rollouts")
        let items = list["items"]?.arrayValue ?? []
        let healthy = items.filter {
            $0["status"]?["phase"]?.stringValue == "Healthy"
                && $0["status"]?["observedGeneration"]?.intValue == $0["metadata"]?["generation"]?.intValue
        }.count
        if healthy == count { return Date().timeIntervalSince(start) }
        if Date().timeIntervalSince(start) > limit {
            fatalError("only \(healthy)/\(count) Rollouts Healthy after \(Int(limit)) s")
        }
        // A list of 10,000 Rollouts costs the simulator real time; look less often at scale.
        try await Task.sleep(for: .seconds(max(1, count / 2_000)))
    }
}

func run(count: Int) async throws {
    var options = KubeSim.Options()
    options.crdDirectory = "crds"
    options.watchHistoryLimit = 4 * count + 10_000
    // The simulated Deployment controller looks at every Deployment each tick; at 10,000 that
    // would be the machine's busiest thread. Pods still become ready after `ready-after`.
    options.tickInterval = .seconds(1)
    let sim = try await KubeSim.start(options)
    let work = FileManager.default.temporaryDirectory.appendingPathComponent("bench-controller-\(getpid())")
    try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: work) }
    try sim.writeKubeconfig(to: work.appendingPathComponent("kubeconfig").path)

    for index in 0..<namespaces {
        let result = await sim.request("POST", "/api/v1/namespaces", body: ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string("bench-\(index)")]])
        precondition(result.status == 201, "namespace: \(result)")
    }
    if faultFraction > 0 {
        // The second rule sees only what the first let through.
        let rules: JSONValue = ["rules": [
            ["verb": "*", "resource": "*", "fraction": .double(faultFraction * 0.6), "code": 500],
            ["verb": "*", "resource": "*", "fraction": .double(faultFraction * 0.4 / (1 - faultFraction * 0.6)), "code": 429, "retryAfterSeconds": 1],
        ]]
        let result = await sim.request("POST", "/sim/faults", body: rules)
        precondition(result.status == 200, "faults: \(result)")
    }
    let controller = Process()
    controller.executableURL = URL(fileURLWithPath: controllerPath())
    controller.arguments = [
        "--kubeconfig", work.appendingPathComponent("kubeconfig").path, "--leader-elect", "off",
        "--health-address", "127.0.0.1:0", "--metrics-address", "127.0.0.1:0", "--qps", qps, "--burst", String(2 * (Int(qps) ?? 1000)),
        "--workers", workers, "--log-level", "warning",
    ]
    let log = FileHandle(forWritingAtPath: "/dev/null")
    controller.standardOutput = log
    controller.standardError = FileHandle.standardError
    try controller.run()
    defer { if controller.isRunning { controller.terminate(); controller.waitUntilExit() } }

    let seedStart = Date()
    for index in 0..<count {
        let namespace = "bench-\(index % namespaces)", name = "app-\(index)"
        for body in [service(name, app: name), service("\(name)-preview", app: name)] {
            let result = await sim.request("POST", "/api/v1/namespaces/\(namespace)/services", body: body)
            precondition(result.status == 201, "service: \(result)")
        }
        let result = await sim.request("POST", "/apis/cutover.dev/v1alpha1/namespaces/\(namespace)/rollouts", body: rollout(name, image: "app:1"))
        precondition(result.status == 201, "rollout: \(result)")
    }
    let seeded = Date().timeIntervalSince(seedStart)
    let firstDeploy = try await waitAllHealthy(sim, controller: controller, count: count, since: seedStart, limit: 3600)
    let afterFirst = await requestCounts(sim)
    let idle = processFigures(controller.processIdentifier)
    say(String(format: "\n== %d Rollouts: seeded in %.1f s; all Healthy after the first deploy in %.1f s; controller peak RSS %.1f MiB, CPU %.1f s",
                 count, seeded, firstDeploy, idle.peakMiB, idle.cpuSeconds))

    let releaseStart = Date()
    for index in 0..<count {
        let namespace = "bench-\(index % namespaces)", name = "app-\(index)"
        let patch: JSONValue = ["spec": ["template": ["spec": ["containers": [["name": "app", "image": "app:2"]]]]]]
        let result = await sim.request(
            "PATCH", "/apis/cutover.dev/v1alpha1/namespaces/\(namespace)/rollouts/\(name)", body: patch,
            contentType: "application/merge-patch+json")
        precondition(result.status == 200, "release: \(result)")
    }
    let release = try await waitAllHealthy(sim, controller: controller, count: count, since: releaseStart, limit: 3600)
    let afterRelease = await requestCounts(sim)
    let figures = processFigures(controller.processIdentifier)

    say("== \(count) Rollouts (\(namespaces) namespaces, 1 replica each, blue/green without analysis)")
    say(String(format: "seeded in %.1f s; all Healthy after the first deploy in %.1f s, after a release of all in %.1f s", seeded, firstDeploy, release))
    say(String(format: "controller: peak RSS %.1f MiB, CPU %.1f s (%.1f s of it during the release)", figures.peakMiB, figures.cpuSeconds, figures.cpuSeconds - idle.cpuSeconds))
    say("API requests per release (the second one), by verb and resource:")
    var total: Int64 = 0
    for key in Set(afterRelease.keys).sorted() {
        let delta = (afterRelease[key] ?? 0) - (afterFirst[key] ?? 0)
        guard delta > 0 else { continue }
        total += delta
        say("  " + key.padding(toLength: 40, withPad: " ", startingAt: 0) + String(format: "%6.2f", Double(delta) / Double(count)))
    }
    say("  " + "total".padding(toLength: 40, withPad: " ", startingAt: 0) + String(format: "%6.2f", Double(total) / Double(count)))
    if faultFraction > 0 {
        let (_, stats) = await sim.request("GET", "/sim/stats")
        let entries = stats["requests"]?.arrayValue ?? []
        let all = entries.reduce(Int64(0)) { $0 + ($1["count"]?.intValue ?? 0) }
        let failed = entries.filter { [500, 429].contains($0["code"]?.intValue ?? 0) }.reduce(Int64(0)) { $0 + ($1["count"]?.intValue ?? 0) }
        say(String(format: "injected failures: %d of %d controller requests (%.1f%%) answered 500 or 429", failed, all, 100 * Double(failed) / Double(max(all, 1))))
    }
    controller.terminate()
    controller.waitUntilExit()
    try await sim.stop()
}

for count in counts { try await run(count: count) }
