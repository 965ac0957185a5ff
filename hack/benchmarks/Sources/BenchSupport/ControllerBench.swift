// What the controller benchmarks (bench-controller, bench-shards) share: KubeSim set up for N
// Rollouts, the Rollouts and their Services, a release of all, and the controllers' /proc figures.
import Foundation
import KubeModels
import KubeSim

/// Namespaces the Rollouts are spread over.
public let benchNamespaces = 100

public func benchService(_ name: String, app: String) -> JSONValue {
    [
        "apiVersion": "v1", "kind": "Service", "metadata": ["name": .string(name)],
        "spec": ["selector": ["app": .string(app)], "ports": [["port": 80, "targetPort": 8080]]],
    ]
}

public func benchRollout(_ name: String, image: String) -> JSONValue {
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

/// KubeSim sized for `count` Rollouts, with the benchmark's namespaces; `extraNamespaces` too.
public func startBenchSim(count: Int, extraNamespaces: [String] = []) async throws -> KubeSim {
    var options = KubeSim.Options()
    options.crdDirectory = "crds"
    options.watchHistoryLimit = 4 * count + 10_000
    // The simulated Deployment controller looks at every Deployment each tick; at 10,000 that
    // would be the machine's busiest thread. Pods still become ready after `ready-after`.
    options.tickInterval = .seconds(1)
    let sim = try await KubeSim.start(options)
    for name in (0..<benchNamespaces).map({ "bench-\($0)" }) + extraNamespaces {
        let result = await sim.request("POST", "/api/v1/namespaces", body: ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(name)]])
        precondition(result.status == 201, "namespace: \(result)")
    }
    return sim
}

/// `namespace` and `name` of Rollout `index`.
public func benchRolloutKey(_ index: Int) -> (namespace: String, name: String) { ("bench-\(index % benchNamespaces)", "app-\(index)") }

/// Creates `count` Rollouts (image app:1) with their two Services.
public func seedRollouts(_ sim: KubeSim, count: Int) async {
    for index in 0..<count {
        let (namespace, name) = benchRolloutKey(index)
        for body in [benchService(name, app: name), benchService("\(name)-preview", app: name)] {
            let result = await sim.request("POST", "/api/v1/namespaces/\(namespace)/services", body: body)
            precondition(result.status == 201, "service: \(result)")
        }
        let result = await sim.request("POST", "/apis/cutover.dev/v1alpha1/namespaces/\(namespace)/rollouts", body: benchRollout(name, image: "app:1"))
        precondition(result.status == 201, "rollout: \(result)")
    }
}

/// Changes every Rollout's image to `image`: a release of all.
public func releaseAll(_ sim: KubeSim, count: Int, image: String) async {
    for index in 0..<count {
        let (namespace, name) = benchRolloutKey(index)
        let patch: JSONValue = ["spec": ["template": ["spec": ["containers": [["name": "app", "image": .string(image)]]]]]]
        let result = await sim.request(
            "PATCH", "/apis/cutover.dev/v1alpha1/namespaces/\(namespace)/rollouts/\(name)", body: patch,
            contentType: "application/merge-patch+json")
        precondition(result.status == 200, "release: \(result)")
    }
}

/// A process' /proc figures: peak and current RSS in MiB, and CPU seconds.
public func processFigures(_ pid: Int32) -> (peakMiB: Double, cpuSeconds: Double, currentMiB: Double) {
    let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
    func kilobytes(_ field: String) -> Double {
        status.split(separator: "\n").first { $0.hasPrefix(field) }
            .flatMap { $0.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first }.flatMap { Double($0) } ?? 0
    }
    let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
    // Fields after the command name (which may hold spaces) start at ")"; utime and stime are 14 and 15.
    let fields = stat.split(separator: ")").last?.split(separator: " ") ?? []
    let ticks = fields.count > 13 ? (Double(fields[11]) ?? 0) + (Double(fields[12]) ?? 0) : 0
    return (kilobytes("VmHWM") / 1024, ticks / Double(sysconf(Int32(_SC_CLK_TCK))), kilobytes("VmRSS") / 1024)
}

/// Waits until every Rollout reports Healthy for its current template; returns seconds since
/// `start`. Stops the benchmark when one of `controllers` exited.
public func waitAllHealthy(_ sim: KubeSim, controllers: [Process], count: Int, since start: Date, limit: TimeInterval) async throws -> Double {
    while true {
        for controller in controllers where !controller.isRunning {
            fatalError("cutover-controller exited with status \(controller.terminationStatus)")
        }
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

/// Starts the release-built controller against `kubeconfig` with the benchmark's flags and `extra`.
public func startBenchController(kubeconfig: String, qps: String, workers: String, extra: [String], environment: [String: String] = [:]) throws -> Process {
    let controller = Process()
    controller.executableURL = URL(fileURLWithPath: controllerPath())
    controller.arguments = [
        "--kubeconfig", kubeconfig, "--health-address", "127.0.0.1:0", "--metrics-address", "127.0.0.1:0", "--qps", qps,
        "--burst", String(2 * (Int(qps) ?? 1000)), "--workers", workers, "--log-level", "warning",
    ] + extra
    if !environment.isEmpty { controller.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new } }
    controller.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
    controller.standardError = FileHandle.standardError
    try controller.run()
    return controller
}

/// Prints the requests made between two ``requestCounts(_:)``, per Rollout.
public func sayRequestsPerRelease(from before: [String: Int64], to after: [String: Int64], count: Int) {
    var total: Int64 = 0
    for key in Set(after.keys).sorted() {
        let delta = (after[key] ?? 0) - (before[key] ?? 0)
        guard delta > 0 else { continue }
        total += delta
        say("  " + key.padding(toLength: 40, withPad: " ", startingAt: 0) + String(format: "%6.2f", Double(delta) / Double(count)))
    }
    say("  " + "total".padding(toLength: 40, withPad: " ", startingAt: 0) + String(format: "%6.2f", Double(total) / Double(count)))
}
