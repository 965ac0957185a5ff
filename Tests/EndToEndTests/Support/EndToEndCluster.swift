import Cutover
import Foundation
import KubeAPI
import Testing
@testable import ClusterHarness

/// Everything one end-to-end test runs: `kube-sim`, a real Prometheus scraping it, the
/// `cutover-controller` process(es), `kubectl` pointed at it, and a ``ClusterMonitor`` watching the
/// test's namespace. ``run(_:_:)`` stops every process, checks the invariants over everything the
/// monitor saw and removes the temporary directory, however the test ends.
final class EndToEndCluster: Sendable {
    struct Options: Sendable {
        /// Start Prometheus (every test that analyses does).
        var prometheus = true
        /// Start one controller without leader election before the test body.
        var controller = true
        /// The namespace the test works in (created with kubectl, watched by the monitor).
        var namespace = "shop"
        /// The controller's identity towards the API server.
        var credentials = ControllerCredentials.fromEnvironment
    }

    typealias LeaderElection = ControllerProcess.LeaderElection

    let directory: URL
    let namespace: String
    let sim: KubeSimProcess
    let kubectl: Kubectl
    let client: KubeClient
    let monitor: ClusterMonitor
    let credentials: ControllerCredentials
    private let prometheusProcess = LockedValue<PrometheusProcess?>(nil)
    private let controllers = LockedValue<[ChildProcess]>([])
    private let controllerKubeconfig = LockedValue<URL?>(nil)

    private init(directory: URL, options: Options, sim: KubeSimProcess, kubectl: Kubectl, client: KubeClient) {
        self.directory = directory
        self.namespace = options.namespace
        self.sim = sim
        self.kubectl = kubectl
        self.client = client
        self.credentials = options.credentials
        monitor = ClusterMonitor(client: client, namespace: options.namespace)
    }

    /// Every controller process started so far, oldest first.
    var controllerProcesses: [ChildProcess] { controllers.get }

    /// The running Prometheus (nil once stopped or when not started).
    var prometheus: PrometheusProcess? { prometheusProcess.get }

    /// Starts the cluster, runs `body`, and tears everything down; invariant violations and
    /// processes' log tails become test issues.
    static func run<T>(_ options: Options = Options(), _ body: (EndToEndCluster) async throws -> T) async throws -> T {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cutover-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let sim = try await KubeSimProcess.start(in: directory)
        let kubectl = Kubectl(binary: try Binaries.kubectl(), kubeconfig: sim.kubeconfig.path, scratch: directory)
        let client: KubeClient
        do {
            client = try KubeClient(
                config: try KubeConfig.load(path: sim.kubeconfig.path),
                options: KubeClient.Options(qps: 1000, burst: 1000, requestTimeout: 10, userAgent: "cutover-e2e-monitor"))
        } catch {
            await sim.process.stop()
            throw error
        }
        let cluster = EndToEndCluster(directory: directory, options: options, sim: sim, kubectl: kubectl, client: client)
        let outcome: Result<T, any Error>
        do {
            try await cluster.setUp(options)
            outcome = .success(try await body(cluster))
        } catch {
            outcome = .failure(error)
        }
        await cluster.tearDown(failed: { if case .failure = outcome { return true } else { return false } }())
        return try outcome.get()
    }

    private func setUp(_ options: Options) async throws {
        try await kubectl("create", "namespace", namespace)
        try await monitor.start()
        if options.prometheus {
            prometheusProcess.set(try await PrometheusProcess.start(scraping: sim.address, in: directory))
        }
        if options.controller { try await startController("controller") }
    }

    private func tearDown(failed: Bool) async {
        await monitor.stop()
        let running = controllers.get
        for controller in running { await controller.stop() }
        if let prometheus = prometheusProcess.get { await prometheus.process.stop() }
        await sim.process.stop()
        try? await client.shutdown()
        let model = monitor.model()
        for violation in model.violations {
            Issue.record("invariant broken: \(violation)")
        }
        for error in monitor.watchErrors where error.contains("expired") {
            Issue.record("the monitor's watch expired, so it may have missed changes: \(error)")
        }
        if failed || !model.violations.isEmpty {
            for process in running + [sim.process] {
                print("---- last lines of \(process.name)'s log ----\n\(process.logTail(60))")
            }
            print("---- what every Rollout, Service and group went through ----\n\(model.timelineReport())")
            for name in model.timeline.statuses.keys.sorted() {
                print("---- \(name): \(Self.measurementSummary(model.statuses(name).map(\.status)))")
            }
        }
    }

    /// When a Rollout's measurements were recorded, from its status writes: whether analysis ran
    /// at all during a stall, and how each metric's last results went.
    static func measurementSummary(_ statuses: [RolloutStatus]) -> String {
        let times = Set(statuses.flatMap { $0.analysis ?? [] }.compactMap(\.lastMeasuredAt)).sorted { $0.date < $1.date }
        guard let first = times.first, let last = times.last else { return "no measurement recorded" }
        let metrics = (statuses.last?.analysis ?? []).map { metric in
            "\(metric.name): last pass \(metric.lastPassAt.map { "\($0)" } ?? "-"), \(metric.consecutiveErrors) errors and "
                + "\(metric.consecutiveInconclusive) inconclusive in a row, \(metric.breaches) breaches"
        }
        return "\(times.count) measurements recorded from \(first) to \(last); \(metrics.joined(separator: "; "))"
    }

    // MARK: - Processes

    /// Starts a `cutover-controller` process named `name` (its `POD_NAME`, so its leader identity
    /// is `<name>_<random>`), with leader election when `leaderElection` is given.
    @discardableResult
    func startController(_ name: String, leaderElection: LeaderElection? = nil) async throws -> ChildProcess {
        let process = try ControllerProcess.start(
            name, kubeconfig: try await kubeconfigForController(), leaderElection: leaderElection, in: directory)
        controllers.update { $0.append(process) }
        return process
    }

    /// SIGKILLs Prometheus, as an outage would, and waits until it is gone.
    func stopPrometheus() async {
        if let prometheus = prometheusProcess.update({ current in
            let running = current
            current = nil
            return running
        }) {
            await prometheus.process.stop()
        }
    }

    /// kube-sim's admin kubeconfig, or one with a service account's token (minted once per test).
    private func kubeconfigForController() async throws -> URL {
        guard case .serviceAccount(let accountNamespace, let account) = credentials else { return sim.kubeconfig }
        if let existing = controllerKubeconfig.get { return existing }
        for manifest in ControllerCredentials.setupManifests {
            try await kubectl("apply", "-f", manifest.path)
        }
        let path = try await kubeconfig(serviceAccount: account, namespace: accountNamespace, file: "controller.kubeconfig")
        controllerKubeconfig.set(path)
        return path
    }

    /// kube-sim's kubeconfig with the token of a service account (RBAC applies to it), written
    /// to `file` in the test's directory.
    func kubeconfig(serviceAccount account: String, namespace accountNamespace: String, file: String) async throws -> URL {
        let token = try await kubectl("create", "token", account, "-n", accountNamespace, "--duration", "1h")
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let admin = try String(contentsOf: sim.kubeconfig, encoding: .utf8)
        let lines = admin.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            line.trimmingCharacters(in: .whitespaces).hasPrefix("token:") ? "    token: \(token)" : String(line)
        }
        let path = directory.appendingPathComponent(file)
        try lines.joined(separator: "\n").write(to: path, atomically: true, encoding: .utf8)
        return path
    }

    // MARK: - kubectl, as a user

    /// Writes `yaml` to a file in the test's directory and `kubectl apply -f`s it.
    @discardableResult
    func apply(_ yaml: String, file: String = "manifest.yaml") async throws -> String {
        let path = directory.appendingPathComponent(file)
        try yaml.write(to: path, atomically: true, encoding: .utf8)
        return try await kubectl("apply", "-f", path.path)
    }

    /// `kubectl annotate --overwrite rollout/<name> <key>=<value>` in the test's namespace.
    func annotate(rollout name: String, _ key: String, _ value: String) async throws {
        try await annotate("rollout/\(name)", key, value)
    }

    /// `kubectl annotate --overwrite releasegroup/<name> <key>=<value>` in the test's namespace.
    func annotate(group name: String, _ key: String, _ value: String) async throws {
        try await annotate("releasegroup/\(name)", key, value)
    }

    private func annotate(_ resource: String, _ key: String, _ value: String) async throws {
        try await kubectl("annotate", "--overwrite", "-n", namespace, resource, "\(key)=\(value)")
    }

    /// `kubectl get <resource> -o jsonpath=<path>` in the test's namespace.
    func get(_ resource: String, jsonpath: String) async throws -> String {
        try await kubectl("get", "-n", namespace, resource, "-o", "jsonpath=\(jsonpath)")
    }
}
