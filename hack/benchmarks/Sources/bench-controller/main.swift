// Scale benchmark for cutover-controller: N Rollouts in KubeSim (simulated Deployments, no traffic),
// the release-built controller as a separate process. Reports, for N = 1,000 and 10,000:
//   - time until every Rollout is Healthy after the first deploy, and after a release of all N;
//   - the controller's API requests per release, by verb and resource (from KubeSim's /sim/stats,
//     which counts only requests from outside the simulator, i.e. the controller's);
//   - the controller's peak RSS (VmHWM) and CPU seconds (utime + stime);
//   - the heap its caches' objects take (decoded and reduced as the controller does, in this process).
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

func run(count: Int) async throws {
    let sim = try await startBenchSim(count: count)
    let work = FileManager.default.temporaryDirectory.appendingPathComponent("bench-controller-\(getpid())")
    try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: work) }
    let kubeconfig = work.appendingPathComponent("kubeconfig").path
    try sim.writeKubeconfig(to: kubeconfig)
    if faultFraction > 0 {
        // The second rule sees only what the first let through.
        let rules: JSONValue = ["rules": [
            ["verb": "*", "resource": "*", "fraction": .double(faultFraction * 0.6), "code": 500],
            ["verb": "*", "resource": "*", "fraction": .double(faultFraction * 0.4 / (1 - faultFraction * 0.6)), "code": 429, "retryAfterSeconds": 1],
        ]]
        let result = await sim.request("POST", "/sim/faults", body: rules)
        precondition(result.status == 200, "faults: \(result)")
    }
    let controller = try startBenchController(kubeconfig: kubeconfig, qps: qps, workers: workers, extra: ["--leader-elect", "off"])
    defer { if controller.isRunning { controller.terminate(); controller.waitUntilExit() } }

    let seedStart = Date()
    await seedRollouts(sim, count: count)
    let seeded = Date().timeIntervalSince(seedStart)
    let firstDeploy = try await waitAllHealthy(sim, controllers: [controller], count: count, since: seedStart, limit: 3600)
    let afterFirst = await requestCounts(sim)
    let idle = processFigures(controller.processIdentifier)
    say(String(format: "\n== %d Rollouts: seeded in %.1f s; all Healthy after the first deploy in %.1f s; controller peak RSS %.1f MiB, CPU %.1f s",
                 count, seeded, firstDeploy, idle.peakMiB, idle.cpuSeconds))

    let releaseStart = Date()
    await releaseAll(sim, count: count, image: "app:2")
    let release = try await waitAllHealthy(sim, controllers: [controller], count: count, since: releaseStart, limit: 3600)
    let afterRelease = await requestCounts(sim)
    let figures = processFigures(controller.processIdentifier)

    say("== \(count) Rollouts (\(benchNamespaces) namespaces, 1 replica each, blue/green without analysis)")
    say(String(format: "seeded in %.1f s; all Healthy after the first deploy in %.1f s, after a release of all in %.1f s", seeded, firstDeploy, release))
    say(String(format: "controller: peak RSS %.1f MiB, CPU %.1f s (%.1f s of it during the release)", figures.peakMiB, figures.cpuSeconds, figures.cpuSeconds - idle.cpuSeconds))
    say("API requests per release (the second one), by verb and resource:")
    sayRequestsPerRelease(from: afterFirst, to: afterRelease, count: count)
    say("what the controller's caches hold, measured in this process:")
    await sayCacheFootprint(sim, rollouts: count)
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
