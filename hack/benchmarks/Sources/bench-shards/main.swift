// Sharded controllers at scale: N Rollouts in KubeSim, R release-built controller replicas with
// `--shards R`, each acting on its share. Reports:
//   - time until every Rollout is Healthy after the first deploy, and after a release of all N;
//   - each replica's peak RSS (VmHWM) and CPU seconds, and the Rollouts it holds;
//   - API requests per release of all replicas together (KubeSim's /sim/stats);
//   - with BENCH_KILL (default 1): one replica SIGKILLed mid-release; when its shards were taken
//     over, when its Rollouts moved again (a status write to any of 50 of them that were not
//     Healthy at the kill), and whether any Rollout's Events came from a replica that did not
//     hold its shard (two replicas acting on one Rollout).
//
//   swift build -c release --package-path hack/benchmarks --product cutover-controller
//   swift run -c release --package-path hack/benchmarks bench-shards
//
// Environment: BENCH_COUNT (default 30000), BENCH_REPLICAS (default 3), BENCH_KILL (1 or 0),
// BENCH_LEASE (lease duration in seconds, default 15: the controller's default), CONTROLLER,
// BENCH_QPS / BENCH_WORKERS as for bench-controller.
import BenchSupport
import Foundation
import KubeModels
import KubeSim

#if canImport(Glibc)
import Glibc
#endif

let environment = ProcessInfo.processInfo.environment
let count = Int(environment["BENCH_COUNT"] ?? "") ?? 30_000
let replicas = Int(environment["BENCH_REPLICAS"] ?? "") ?? 3
let killOne = (environment["BENCH_KILL"] ?? "1") != "0"
let lease = Double(environment["BENCH_LEASE"] ?? "") ?? 15
let qps = environment["BENCH_QPS"] ?? "1000"
let workers = environment["BENCH_WORKERS"] ?? "8"
let leaseNamespace = "cutover-system"

/// Shard Lease holders by shard (only held ones).
func holders(_ sim: KubeSim) async -> [Int: String] {
    let (_, list) = await sim.request("GET", "/apis/coordination.k8s.io/v1/namespaces/\(leaseNamespace)/leases")
    var held: [Int: String] = [:]
    for item in list["items"]?.arrayValue ?? [] {
        let name = item["metadata"]?["name"]?.stringValue ?? ""
        guard let range = name.range(of: "-shard-"), let shard = Int(name[range.upperBound...]),
            let holder = item["spec"]?["holderIdentity"]?.stringValue, !holder.isEmpty
        else { continue }
        held[shard] = holder
    }
    return held
}

/// The shard label of every Rollout, by `namespace/name`.
func shardLabels(_ sim: KubeSim) async -> [String: String] {
    let (_, list) = await sim.request("GET", "/apis/cutover.dev/v1alpha1/rollouts")
    var labels: [String: String] = [:]
    for item in list["items"]?.arrayValue ?? [] {
        let key = "\(item["metadata"]?["namespace"]?.stringValue ?? "")/\(item["metadata"]?["name"]?.stringValue ?? "")"
        labels[key] = item["metadata"]?["labels"]?["cutover.dev/shard"]?.stringValue
    }
    return labels
}

func shard(ofLabel label: String?) -> Int? { label.flatMap { $0.split(separator: "-").first.flatMap { Int($0) } } }

let sim = try await startBenchSim(count: count, extraNamespaces: [leaseNamespace])
let work = FileManager.default.temporaryDirectory.appendingPathComponent("bench-shards-\(getpid())")
try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: work) }
let kubeconfig = work.appendingPathComponent("kubeconfig").path
try sim.writeKubeconfig(to: kubeconfig)

let leaseFlags = ["--lease-duration", "\(lease)", "--renew-deadline", "\(lease * 2 / 3)", "--retry-period", "\(max(0.5, lease * 2 / 15))"]
var controllers: [Process] = []
for index in 0..<replicas {
    controllers.append(try startBenchController(
        kubeconfig: kubeconfig, qps: qps, workers: workers,
        extra: ["--leader-elect", "on", "--lease-namespace", leaseNamespace, "--shards", "\(replicas)"] + leaseFlags,
        environment: ["POD_NAME": "replica-\(index)"]))
}
defer { for controller in controllers where controller.isRunning { controller.terminate(); controller.waitUntilExit() } }
while await Set(holders(sim).values).count < replicas { try await Task.sleep(for: .milliseconds(200)) }

let seedStart = Date()
await seedRollouts(sim, count: count)
let seeded = Date().timeIntervalSince(seedStart)
let firstDeploy = try await waitAllHealthy(sim, controllers: controllers, count: count, since: seedStart, limit: 7200)
let afterFirst = await requestCounts(sim)
let heldAtRelease = await holders(sim)
let labels = await shardLabels(sim)
say(String(format: "== %d Rollouts, %d replicas, --shards %d: seeded in %.1f s; all Healthy after the first deploy in %.1f s", count, replicas, replicas, seeded, firstDeploy))
for (index, controller) in controllers.enumerated() {
    let figures = processFigures(controller.processIdentifier)
    let shards = heldAtRelease.filter { $0.value.hasPrefix("replica-\(index)_") }.keys.sorted()
    let rollouts = labels.values.filter { shard(ofLabel: $0).map(shards.contains) ?? false }.count
    say(String(format: "  replica-%d: shards %@, %d Rollouts; peak RSS %.1f MiB (now %.1f), CPU %.1f s", index, "\(shards)", rollouts, figures.peakMiB, figures.currentMiB, figures.cpuSeconds))
}
let idle = controllers.map { processFigures($0.processIdentifier) }

let releaseStart = Date()
await releaseAll(sim, count: count, image: "app:2")
var killedAt: Date?
var victim = ""
if killOne {
    // Mid-release: the patches are in; most Rollouts are between their green and their cutover.
    try await Task.sleep(for: .seconds(5))
    victim = heldAtRelease.values.first { $0.hasPrefix("replica-0_") } ?? ""
    let victimShards = Set(heldAtRelease.filter { $0.value == victim }.keys)
    var watched: [(path: String, version: String)] = []
    let (_, list) = await sim.request("GET", "/apis/cutover.dev/v1alpha1/rollouts")
    for item in list["items"]?.arrayValue ?? [] where watched.count < 50 {
        guard let shard = shard(ofLabel: item["metadata"]?["labels"]?["cutover.dev/shard"]?.stringValue), victimShards.contains(shard),
            item["status"]?["observedGeneration"]?.intValue != item["metadata"]?["generation"]?.intValue
                || item["status"]?["phase"]?.stringValue != "Healthy"
        else { continue }
        let namespace = item["metadata"]?["namespace"]?.stringValue ?? "", name = item["metadata"]?["name"]?.stringValue ?? ""
        watched.append(("/apis/cutover.dev/v1alpha1/namespaces/\(namespace)/rollouts/\(name)", ""))
    }
    Glibc.kill(controllers[0].processIdentifier, SIGKILL)
    controllers[0].waitUntilExit()
    killedAt = Date()
    for index in watched.indices {
        watched[index].version = await sim.request("GET", watched[index].path).body["metadata"]?["resourceVersion"]?.stringValue ?? ""
    }
    say("killed \(victim) (shards \(victimShards.sorted())) \(String(format: "%.1f", killedAt!.timeIntervalSince(releaseStart))) s into the release; \(watched.count) of its Rollouts in flight watched")
    var takenOver: Double?
    var moved: Double?
    while takenOver == nil || (moved == nil && !watched.isEmpty) {
        let now = await holders(sim)
        if takenOver == nil, victimShards.allSatisfy({ now[$0] != nil && now[$0] != victim }) { takenOver = Date().timeIntervalSince(killedAt!) }
        if moved == nil {
            for entry in watched where await sim.request("GET", entry.path).body["metadata"]?["resourceVersion"]?.stringValue != entry.version {
                moved = Date().timeIntervalSince(killedAt!)
                break
            }
        }
        if Date().timeIntervalSince(killedAt!) > 600 { fatalError("no takeover within 600 s") }
        try await Task.sleep(for: .milliseconds(100))
    }
    say(String(format: "its shards were taken over %.1f s after the kill, its Rollouts moved again after %.1f s (lease duration %.0f s; goal: within it + 5 s)",
                takenOver ?? -1, moved ?? -1, lease))
}
let survivors = controllers.filter(\.isRunning)
let release = try await waitAllHealthy(sim, controllers: survivors, count: count, since: releaseStart, limit: 7200)
let afterRelease = await requestCounts(sim)
say(String(format: "all Healthy after a release of all in %.1f s", release))
for (index, controller) in controllers.enumerated() where controller.isRunning {
    let figures = processFigures(controller.processIdentifier)
    say(String(format: "  replica-%d: peak RSS %.1f MiB (now %.1f), CPU %.1f s (%.1f s during the release)", index, figures.peakMiB, figures.currentMiB, figures.cpuSeconds, figures.cpuSeconds - idle[index].cpuSeconds))
}
say("API requests per release (the second one, all replicas), by verb and resource:")
sayRequestsPerRelease(from: afterFirst, to: afterRelease, count: count)

// Two replicas acting on one Rollout: its Events name the replica that wrote them
// (reportingInstance). Each Rollout's must come from its shard's holder, or for the killed
// replica's shards, from it (before the kill) and from the replica that took over.
let heldAfter = await holders(sim)
var crossed = 0
var checked = 0
for index in 0..<benchNamespaces {
    let (_, events) = await sim.request("GET", "/api/v1/namespaces/bench-\(index)/events")
    var instances: [String: Set<String>] = [:]
    for event in events["items"]?.arrayValue ?? [] where event["involvedObject"]?["kind"]?.stringValue == "Rollout" {
        let name = event["involvedObject"]?["name"]?.stringValue ?? ""
        instances["bench-\(index)/\(name)", default: []].insert(event["reportingInstance"]?.stringValue ?? "")
    }
    for (key, seen) in instances {
        guard let shard = shard(ofLabel: labels[key]) else { continue }
        let allowed: Set<String> = [heldAtRelease[shard], heldAfter[shard]].compactMap { $0 }.reduce(into: []) { $0.insert($1) }
        checked += 1
        if !seen.isSubset(of: allowed) { crossed += 1 }
    }
}
say("Rollouts whose Events came from a replica not holding their shard: \(crossed) of \(checked)")
for controller in controllers where controller.isRunning { controller.terminate(); controller.waitUntilExit() }
try await sim.stop()
