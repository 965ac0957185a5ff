// A ReleaseGroup against the seed's script (issue 14): 15 Services released together, one green
// answering 20% errors. In one run, on one KubeSim (in this process, with simulated traffic) and
// one real Prometheus (a child, scraping it every second):
//   - script: every green Deployment runs beside its blue; hack/benchmarks/seed-release.sh patches
//     the 15 selectors to green with kubectl, polls Prometheus every interval and on a breach
//     patches them back one by one;
//   - group: a ReleaseGroup of 15 Rollouts shaped like manifests/examples (canary 5 % then 50 %,
//     30 s pauses, 1 m hold), released by changing their templates, run by the release-built
//     cutover-controller.
// Both judge each green with the same error-rate query, at the same interval, against max 0.05;
// every Service has the same replicas and is sent the same requests per second. Measured the same
// way for both:
//   - breach: the Prometheus answer the revert followed (the last answer about the bad green
//     before its Service went back to blue), at the instant Prometheus logged it (its query log,
//     `ts`);
//   - back on blue: when the last of the 15 active Services selected blue again, at the instant
//     KubeSim committed the change (the traffic follows it from then on);
//   - bad requests: 5xx answers of the bad green's pods (KubeSim's http_requests_total{code="500"});
//   - API requests: KubeSim's /sim/stats (only requests from outside the simulator: kubectl's or the
//     controller's) from the start of the release until the revert is over.
//
//   swift build -c release --package-path hack/benchmarks --product cutover-controller
//   swift run -c release --package-path hack/benchmarks bench-group-revert    # from the repository
//
// Environment: CONTROLLER (the binary), BENCH_INTERVAL (seconds, default 10), BENCH_RPS (per
// Service, default 100), BENCH_REPLICAS (per Service, default 20), BENCH_WEIGHT (the first canary
// step, default 5: one green pod beside 20 blue ones, 4.8 % of the requests), BENCH_TRACE=1 (print
// KubeSim's commits from the breach to the last Service back on blue).
import BenchSupport
import Foundation
import KubeModels
import KubeSim

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Glibc)
import Glibc
#endif

let environment = ProcessInfo.processInfo.environment
let interval = Int(environment["BENCH_INTERVAL"] ?? "10") ?? 10
let rps = Int(environment["BENCH_RPS"] ?? "100") ?? 100
let replicas = Int(environment["BENCH_REPLICAS"] ?? "20") ?? 20
let firstWeight = Int(environment["BENCH_WEIGHT"] ?? "5") ?? 5
let limit = 0.05
let services = [
    "auth", "cart", "catalog", "checkout", "db-proxy", "email", "frontend", "inventory", "ledger", "payment", "pricing",
    "search", "shipping", "tax", "users",
]
let bad = "payment"
let revisionKey = "cutover.dev/revision"

/// The analysis query both sides ask: the error rate of one revision's pods.
func errorRate(namespace: String, revision: String) -> String {
    #"(sum(rate(http_requests_total{namespace="\#(namespace)",revision="\#(revision)",code=~"5.."}[1m])) or vector(0))"#
        + #" / sum(rate(http_requests_total{namespace="\#(namespace)",revision="\#(revision)"}[1m]))"#
}

// MARK: - Prometheus with a query log

struct Prometheus {
    let process: Process
    let address: String
    let queryLog: URL

    static func start(scraping target: String, in work: URL) async throws -> Prometheus {
        let port = freeLoopbackPort()
        let queryLog = work.appendingPathComponent("queries.log")
        let config = work.appendingPathComponent("prometheus.yml")
        try """
            global: {scrape_interval: 1s, scrape_timeout: 1s, evaluation_interval: 1s, query_log_file: \(queryLog.path)}
            scrape_configs:
              - job_name: kube-sim
                scheme: https
                honor_labels: true
                tls_config: {insecure_skip_verify: true}
                static_configs: [{targets: ['\(target)']}]

            """.write(to: config, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "prometheus", "--config.file=\(config.path)", "--storage.tsdb.path=\(work.appendingPathComponent("tsdb").path)",
            "--web.listen-address=127.0.0.1:\(port)", "--log.level=warn",
        ]
        let log = work.appendingPathComponent("prometheus.log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: log)
        try process.run()
        let prometheus = Prometheus(process: process, address: "http://127.0.0.1:\(port)", queryLog: queryLog)
        try await waitFor("Prometheus to be ready (its log: \(log.path))", limit: 60) { await prometheus.ready() }
        return prometheus
    }

    func ready() async -> Bool {
        guard let (_, response) = try? await URLSession.shared.data(from: URL(string: "\(address)/-/ready")!) else { return false }
        return (response as? HTTPURLResponse)?.statusCode == 200
    }

    /// When Prometheus answered the query of `revision`'s error rate that the revert followed: the
    /// query log's `ts` (logged as the answer is sent) of the last one answered before `reverted`.
    /// (Evaluating the logged queries again is no way to find it: a scrape that began before a
    /// query's time and was stored after it changes the answer, and a green with few requests is
    /// then on the other side of the limit.)
    func breach(of revision: String, before reverted: Date) throws -> Date? {
        try String(contentsOf: queryLog, encoding: .utf8).split(separator: "\n").compactMap { line -> Date? in
            guard let entry = try? JSONParser.parse(Array(line.utf8)), entry["params"]?["query"]?.stringValue?.contains(#"revision="\#(revision)""#) == true,
                let answered = entry["ts"]?.stringValue.flatMap(parseRFC3339), answered < reverted
            else { return nil }
            return answered
        }.max()
    }
}

/// An RFC 3339 time with any number of fractional digits (Go's RFC3339Nano, Prometheus' `ts`).
func parseRFC3339(_ text: String) -> Date? {
    let formatter = ISO8601DateFormatter()
    let trimmed = text.hasSuffix("Z") ? String(text.dropLast()) : text
    let parts = trimmed.split(separator: ".", maxSplits: 1)
    guard let whole = formatter.date(from: parts[0] + "Z") else { return nil }
    return whole.addingTimeInterval(parts.count > 1 ? Double("0.\(parts[1])") ?? 0 : 0)
}

func freeLoopbackPort() -> Int {
    let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(socket) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) == 0 ? getsockname(socket, $0, &length) : -1 }
    }
    return Int(UInt16(bigEndian: address.sin_port))
}

func waitFor(_ what: String, limit seconds: Double, _ condition: () async throws -> Bool) async throws {
    let deadline = Date().addingTimeInterval(seconds)
    while try await !condition() {
        guard Date() < deadline else { fatalError("\(what) did not happen within \(Int(seconds)) s") }
        try await Task.sleep(for: .milliseconds(200))
    }
}

// MARK: - Selector changes, as the API server commits them

/// Every change of an active Service's `cutover.dev/revision` selector key, with the instant
/// KubeSim committed it: from then on the simulated traffic follows the new selector. (A watch in
/// this process, busy serving the API, heard of the last switch 6–15 ms later: as much as the
/// group's whole revert.)
final class SelectorLog: @unchecked Sendable {
    struct Change { var at: Date, namespace: String, service: String, revision: String? }
    private let lock = NSLock()
    private var changes: [Change] = []
    private var current: [String: String?] = [:]

    func record(_ object: JSONValue) {
        guard object["kind"]?.stringValue == "Service" else { return }
        let at = Date()
        let namespace = object["metadata"]?["namespace"]?.stringValue ?? "", name = object["metadata"]?["name"]?.stringValue ?? ""
        let revision = object["spec"]?["selector"]?[revisionKey]?.stringValue
        lock.withLock {
            guard current["\(namespace)/\(name)"] != .some(revision) else { return }
            current["\(namespace)/\(name)"] = .some(revision)
            changes.append(Change(at: at, namespace: namespace, service: name, revision: revision))
        }
    }

    func changes(in namespace: String) -> [Change] { lock.withLock { changes.filter { $0.namespace == namespace } } }
}

/// With BENCH_TRACE=1: every commit of a Rollout, ReleaseGroup or Service in `namespace`, to show
/// where the revert's time goes (printed from the breach to the last Service back on blue).
final class CommitTrace: @unchecked Sendable {
    struct Commit { var at: Date, what: String }
    let namespace: String
    private let lock = NSLock()
    private var commits: [Commit] = []

    init(namespace: String) { self.namespace = namespace }

    func record(_ object: JSONValue) {
        guard object["metadata"]?["namespace"]?.stringValue == namespace, let kind = object["kind"]?.stringValue else { return }
        let name = object["metadata"]?["name"]?.stringValue ?? ""
        let status = object["status"]
        let what: String
        switch kind {
        case "Service": what = "Service \(name) selects \(object["spec"]?["selector"]?[revisionKey]?.stringValue ?? "both")"
        case "Rollout", "ReleaseGroup":
            what = "\(kind) \(name) \(status?["phase"]?.stringValue ?? "-") \(status?["abort"]?["reason"]?.stringValue ?? "")"
        default: return
        }
        let at = Date()
        lock.withLock { commits.append(Commit(at: at, what: what)) }
    }

    /// The commits from 5 ms before `start` to `end` (timed a moment after the selector log), in ms after `start`.
    func print(from start: Date, to end: Date) {
        for commit in lock.withLock({ commits }) where commit.at >= start.addingTimeInterval(-0.005) && commit.at <= end.addingTimeInterval(0.001) {
            say(String(format: "  %+8.1f ms  ", commit.at.timeIntervalSince(start) * 1000) + commit.what)
        }
    }
}

// MARK: - Objects

func create(_ sim: KubeSim, _ path: String, _ object: JSONValue) async {
    let result = await sim.request("POST", path, body: object)
    precondition(result.status == 201, "POST \(path): \(result)")
}

func namespaceObject(_ name: String) -> JSONValue { ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(name)]] }

/// An active Service sent `rps` requests per second, and its preview (no traffic).
func services(_ name: String, selector: [String: String]) -> [JSONValue] {
    let labels = JSONValue.object(selector.mapValues { .string($0) })
    return [
        [
            "apiVersion": "v1", "kind": "Service",
            "metadata": ["name": .string(name), "annotations": ["sim.cutover.dev/rps": .string(String(rps))]],
            "spec": ["selector": labels, "ports": [["port": 80, "targetPort": 8080]]],
        ],
        [
            "apiVersion": "v1", "kind": "Service", "metadata": ["name": .string("\(name)-preview")],
            "spec": ["selector": ["app": .string(name)], "ports": [["port": 80, "targetPort": 8080]]],
        ],
    ]
}

func podTemplate(_ name: String, labels: [String: String], image: String) -> JSONValue {
    var annotations: JSONValue = ["sim.cutover.dev/ready-after": "1s"]
    if name == bad, image.hasSuffix(":2.0.0") { annotations["sim.cutover.dev/error-rate"] = "0.2" }
    return [
        "metadata": ["labels": .object(labels.mapValues { .string($0) }), "annotations": annotations],
        "spec": ["containers": [["name": "app", "image": .string(image)]]],
    ]
}

/// The seed's Deployment of one revision (`<service>-v1` blue, `<service>-v2` green).
func deployment(_ name: String, version: String) -> JSONValue {
    let labels = ["app": name, revisionKey: "\(name)-\(version)"]
    return [
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": .string("\(name)-\(version)")],
        "spec": [
            "replicas": .int(Int64(replicas)), "selector": ["matchLabels": .object(labels.mapValues { .string($0) })],
            "template": podTemplate(name, labels: labels, image: "registry.example.com/\(name):\(version == "v1" ? "1.0.0" : "2.0.0")"),
        ],
    ]
}

/// A member Rollout shaped like manifests/examples/payment-rollout.yaml.
func rollout(_ name: String, prometheus: String) -> JSONValue {
    [
        "apiVersion": "cutover.dev/v1alpha1", "kind": "Rollout",
        "metadata": ["name": .string(name), "labels": ["cutover.dev/group": "shop"]],
        "spec": [
            "replicas": .int(Int64(replicas)), "selector": ["matchLabels": ["app": .string(name)]],
            "template": podTemplate(name, labels: ["app": name], image: "registry.example.com/\(name):1.0.0"),
            "progressDeadlineSeconds": 120,
            "services": ["active": .string(name), "preview": .string("\(name)-preview")],
            "strategy": [
                "canary": ["steps": [["weight": .int(Int64(firstWeight)), "pause": "30s"], ["weight": 50, "pause": "30s"]]],
                "holdWindow": "1m",
            ],
            "analysis": [
                "prometheus": ["address": .string(prometheus)], "interval": .string("\(interval)s"),
                "metrics": [
                    [
                        "name": "error-rate", "query": .string(errorRate(namespace: "{{namespace}}", revision: "{{green}}")),
                        "max": .double(limit), "noData": "Inconclusive", "inconclusiveLimit": 10,
                    ]
                ],
            ],
        ],
    ]
}

func list(_ sim: KubeSim, _ path: String) async -> [JSONValue] { await sim.request("GET", path).body["items"]?.arrayValue ?? [] }

/// 5xx answers of `revision`'s pods in `namespace`, from KubeSim's exposition.
func serverErrors(_ sim: KubeSim, namespace: String, revision: String) async -> Int64 {
    let text = await sim.request("GET", "/metrics").body.stringValue ?? ""
    return text.split(separator: "\n").reduce(0) { total, line in
        guard line.hasPrefix("http_requests_total{"), line.contains(#"namespace="\#(namespace)""#),
            line.contains(#"revision="\#(revision)""#), line.contains(#"code="500""#)
        else { return total }
        return total + (line.split(separator: " ").last.flatMap { Int64($0) } ?? 0)
    }
}

// MARK: - One side of the comparison

struct Outcome {
    /// The first answer above the limit for the bad green.
    var breach: Date
    /// When the bad green started to take requests (its Service selected it, or went to the canary split).
    var badServing: Date
    /// When the bad green's own Service, and the last of the 15, selected blue again.
    var badBackOnBlue: Date
    var backOnBlue: Date
    var badRequests: Int64
    var requests: [String: Int64]
}

/// When each Service last selected its blue again after `start`.
func backOnBlue(_ log: SelectorLog, namespace: String, blues: [String: String], after start: Date) -> [String: Date] {
    Dictionary(uniqueKeysWithValues: services.map { service in
        (service, log.changes(in: namespace).last { $0.service == service && $0.revision == blues[service] && $0.at >= start }?.at ?? .distantFuture)
    })
}

func runScript(_ sim: KubeSim, prometheus: Prometheus, log: SelectorLog, work: URL) async throws -> Outcome {
    let namespace = "script"
    await create(sim, "/api/v1/namespaces", namespaceObject(namespace))
    for service in services {
        for object in services(service, selector: ["app": service, revisionKey: "\(service)-v1"]) {
            await create(sim, "/api/v1/namespaces/\(namespace)/services", object)
        }
        for version in ["v1", "v2"] {
            await create(sim, "/apis/apps/v1/namespaces/\(namespace)/deployments", deployment(service, version: version))
        }
    }
    try await waitFor("the seed's 30 Deployments to be ready", limit: 120) {
        let ready = await list(sim, "/apis/apps/v1/namespaces/\(namespace)/deployments").filter {
            $0["status"]?["readyReplicas"]?.intValue == Int64(replicas)
        }
        return ready.count == 2 * services.count
    }

    _ = await sim.request("DELETE", "/sim/stats")
    let start = Date()
    let script = Process()
    script.executableURL = URL(fileURLWithPath: "/bin/bash")
    script.arguments = ["hack/benchmarks/seed-release.sh"]
    script.environment = environment.merging([
        "KUBECONFIG": work.appendingPathComponent("kubeconfig").path, "NAMESPACE": namespace,
        "SERVICES": services.joined(separator: " "), "BLUE": "v1", "GREEN": "v2", "PROMETHEUS": prometheus.address,
        "INTERVAL": String(interval), "MAX": String(limit),
    ]) { $1 }
    try script.run()
    script.waitUntilExit()
    let requests = await requestCounts(sim)
    guard script.terminationStatus == 1 else { fatalError("seed-release.sh saw no breach (exit \(script.terminationStatus))") }

    let blues = Dictionary(uniqueKeysWithValues: services.map { ($0, "\($0)-v1") })
    let back = backOnBlue(log, namespace: namespace, blues: blues, after: start)
    // The green gets no request once unselected; one traffic tick later its counter is final.
    try await Task.sleep(for: .seconds(1))
    guard let breach = try prometheus.breach(of: "\(bad)-v2", before: back[bad]!) else { fatalError("no query of \(bad)-v2 in the query log") }
    let serving = log.changes(in: namespace).first { $0.service == bad && $0.revision == "\(bad)-v2" }?.at ?? start
    let badRequests = await serverErrors(sim, namespace: namespace, revision: "\(bad)-v2")
    // Its pods and their traffic would load the machine the group's run shares: gone before it starts.
    for service in services {
        for name in [service, "\(service)-preview"] { _ = await sim.request("DELETE", "/api/v1/namespaces/\(namespace)/services/\(name)") }
        for version in ["v1", "v2"] { _ = await sim.request("DELETE", "/apis/apps/v1/namespaces/\(namespace)/deployments/\(service)-\(version)") }
    }
    try await waitFor("the seed's pods to be gone", limit: 60) { await list(sim, "/api/v1/namespaces/\(namespace)/pods").isEmpty }
    return Outcome(
        breach: breach, badServing: serving, badBackOnBlue: back[bad]!, backOnBlue: back.values.max()!, badRequests: badRequests,
        requests: requests)
}

func runGroup(_ sim: KubeSim, prometheus: Prometheus, log: SelectorLog, work: URL) async throws -> Outcome {
    let namespace = "group"
    await create(sim, "/api/v1/namespaces", namespaceObject(namespace))
    for service in services {
        for object in services(service, selector: ["app": service]) {
            await create(sim, "/api/v1/namespaces/\(namespace)/services", object)
        }
    }
    await create(
        sim, "/apis/cutover.dev/v1alpha1/namespaces/\(namespace)/releasegroups",
        ["apiVersion": "cutover.dev/v1alpha1", "kind": "ReleaseGroup", "metadata": ["name": "shop"], "spec": ["approval": "Automatic"]])
    for service in services {
        await create(sim, "/apis/cutover.dev/v1alpha1/namespaces/\(namespace)/rollouts", rollout(service, prometheus: prometheus.address))
    }
    let rollouts = "/apis/cutover.dev/v1alpha1/namespaces/\(namespace)/rollouts"
    try await waitFor("the 15 Rollouts' first revision to be Healthy", limit: 300) {
        await list(sim, rollouts).filter { $0["status"]?["phase"]?.stringValue == "Healthy" }.count == services.count
    }
    var blues: [String: String] = [:]
    for member in await list(sim, rollouts) {
        blues[member["metadata"]?["name"]?.stringValue ?? ""] = member["status"]?["activeRevision"]?.stringValue
    }

    _ = await sim.request("DELETE", "/sim/stats")
    let start = Date()
    for service in services {
        let patch: JSONValue = ["spec": ["template": podTemplate(service, labels: ["app": service], image: "registry.example.com/\(service):2.0.0")]]
        let result = await sim.request("PATCH", "\(rollouts)/\(service)", body: patch, contentType: "application/merge-patch+json")
        precondition(result.status == 200, "release \(service): \(result)")
    }
    var greens: [String: String] = [:]
    try await waitFor("the group to revert every member and scale every green to 0", limit: 600) {
        let group = await sim.request("GET", "/apis/cutover.dev/v1alpha1/namespaces/\(namespace)/releasegroups/shop").body
        let members = await list(sim, rollouts).filter { $0["status"]?["phase"]?.stringValue == "RolledBack" }
        for member in members {
            greens[member["metadata"]?["name"]?.stringValue ?? ""] = member["status"]?["rolledBackRevision"]?.stringValue
        }
        let scaled = await list(sim, "/apis/apps/v1/namespaces/\(namespace)/deployments").filter { deployment in
            let labels = deployment["metadata"]?["labels"]
            let member = labels?["cutover.dev/rollout"]?.stringValue ?? ""
            return labels?[revisionKey]?.stringValue == greens[member] && deployment["spec"]?["replicas"]?.intValue == 0
        }
        return group["status"]?["phase"]?.stringValue == "RolledBack" && members.count == services.count && scaled.count == services.count
    }
    let requests = await requestCounts(sim)
    let badGreen = greens[bad] ?? ""

    let back = backOnBlue(log, namespace: namespace, blues: blues, after: start)
    try await Task.sleep(for: .seconds(1))
    guard let breach = try prometheus.breach(of: badGreen, before: back[bad]!) else { fatalError("no query of \(badGreen) in the query log") }
    let serving = log.changes(in: namespace).first { $0.service == bad && $0.revision == nil && $0.at >= start }?.at ?? start
    return Outcome(
        breach: breach, badServing: serving, badBackOnBlue: back[bad]!, backOnBlue: back.values.max()!,
        badRequests: await serverErrors(sim, namespace: namespace, revision: badGreen), requests: requests)
}

// MARK: - The run

var options = KubeSim.Options()
options.crdDirectory = "crds"
let sim = try await KubeSim.start(options)
let work = FileManager.default.temporaryDirectory.appendingPathComponent("bench-group-revert-\(getpid())")
try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
try sim.writeKubeconfig(to: work.appendingPathComponent("kubeconfig").path)
let prometheus = try await Prometheus.start(scraping: "127.0.0.1:\(sim.port)", in: work)
let log = SelectorLog()
let trace = environment["BENCH_TRACE"] == "1" ? CommitTrace(namespace: "group") : nil
sim.observeCommits { object in
    log.record(object)
    trace?.record(object)
}

say("== 15 Services, \(replicas) replicas and \(rps) requests/s each; \(bad)'s green answers 20% errors; analysis every \(interval) s, max \(limit)")
say("-- the seed's script: switch all 15 to green with kubectl, poll Prometheus every \(interval) s, switch back one by one")
let script = try await runScript(sim, prometheus: prometheus, log: log, work: work)

// The planner's canary size: round(R·w/(100−w)) green pods beside R blue ones, at least one.
let canaryPods = max(1, Int((Double(replicas * firstWeight) / Double(100 - firstWeight)).rounded()))
say(
    "-- a ReleaseGroup of 15 Rollouts: canary \(firstWeight)% (\(canaryPods) green pod(s) beside \(replicas) blue: "
        + String(format: "%.1f", 100 * Double(canaryPods) / Double(replicas + canaryPods)) + "% of requests) then 50%, release-built cutover-controller")
let controller = Process()
controller.executableURL = URL(fileURLWithPath: controllerPath())
controller.arguments = [
    "--kubeconfig", work.appendingPathComponent("kubeconfig").path, "--leader-elect", "off",
    "--health-address", "127.0.0.1:0", "--metrics-address", "127.0.0.1:0", "--log-level", "warning",
]
controller.standardOutput = FileHandle.nullDevice
controller.standardError = FileHandle.standardError
try controller.run()
let group = try await runGroup(sim, prometheus: prometheus, log: log, work: work)
controller.terminate()
controller.waitUntilExit()
prometheus.process.terminate()
prometheus.process.waitUntilExit()

func cell(_ text: String, width: Int = 20) -> String { text.padding(toLength: max(width, text.count + 1), withPad: " ", startingAt: 0) }
func label(_ text: String) -> String { cell(text, width: 44) }
func ratio(_ script: Double, _ group: Double) -> String { group > 0 ? String(format: "%.1f×", script / group) : "-" }
let revert = (script.backOnBlue.timeIntervalSince(script.breach), group.backOnBlue.timeIntervalSince(group.breach))
say("")
say(label("") + cell("seed script") + cell("ReleaseGroup") + "script ÷ group")
say(
    label("breach → bad on blue") + cell(String(format: "%.3f s", script.badBackOnBlue.timeIntervalSince(script.breach)))
        + cell(String(format: "%.3f s", group.badBackOnBlue.timeIntervalSince(group.breach))))
say(label("breach → last on blue") + cell(String(format: "%.3f s", revert.0)) + cell(String(format: "%.3f s", revert.1)) + ratio(revert.0, revert.1))
say(
    label("bad green served") + cell(String(format: "%.1f s", script.backOnBlue.timeIntervalSince(script.badServing)))
        + cell(String(format: "%.1f s", group.backOnBlue.timeIntervalSince(group.badServing))))
say(
    label("5xx from bad green") + cell("\(script.badRequests)") + cell("\(group.badRequests)")
        + ratio(Double(script.badRequests), Double(group.badRequests)))
say(label("API requests") + cell("\(script.requests.values.reduce(0, +))") + cell("\(group.requests.values.reduce(0, +))"))
for key in Set(script.requests.keys).union(group.requests.keys).sorted() {
    say(label("  " + key) + cell("\(script.requests[key] ?? 0)") + cell("\(group.requests[key] ?? 0)"))
}
if let trace {
    say("")
    say("KubeSim's commits in the group's namespace, from the breach:")
    trace.print(from: group.breach, to: group.backOnBlue)
}
try await sim.stop()
try? FileManager.default.removeItem(at: work)
