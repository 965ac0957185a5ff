import ClusterHarness
import Cutover
import Foundation
import KubeAPI
import KubeModels
import SimulatorHarness

#if canImport(Glibc)
import Glibc
#endif

/// The processes of one chaos run and the faults done to them: kube-sim, a real Prometheus, two
/// `cutover-controller` replicas under leader election (or with `--shards`, each acting on its
/// share), a receiver for gate hooks and notifications, kubectl as the user, and one
/// ``ClusterMonitor`` per namespace.
final class ChaosCluster: Sendable {
    static let replicas = ["replica-a", "replica-b"]

    let election: ControllerProcess.LeaderElection

    let directory: URL
    let namespaces: [String]
    let sim: KubeSimProcess
    let kubectl: Kubectl
    let client: KubeClient
    let receiver: WebhookReceiver
    let monitors: [String: ClusterMonitor]
    let controllerBinary: String
    private let prometheusProcess: LockedValue<PrometheusProcess>
    private let controllers = LockedValue<[String: ChildProcess]>([:])
    /// Replicas a fault holds down; the supervisor leaves them alone until the fault brings them back.
    private let heldDown = LockedValue<Set<String>>([])
    /// `namespace/name` of the Rollouts whose gate hooks answer 500 for now.
    let failingHooks = LockedValue<Set<String>>([])
    /// Controller exits the runner did not cause: a replica that lost its lease exits 1; a signal
    /// or another status is a crash.
    let selfExits = LockedValue<[(replica: String, status: Int32, crashed: Bool)]>([])

    private init(
        directory: URL, namespaces: [String], sim: KubeSimProcess, kubectl: Kubectl, client: KubeClient, receiver: WebhookReceiver,
        prometheus: PrometheusProcess, controllerBinary: String, election: ControllerProcess.LeaderElection
    ) {
        self.election = election
        self.directory = directory
        self.namespaces = namespaces
        self.sim = sim
        self.kubectl = kubectl
        self.client = client
        self.receiver = receiver
        self.controllerBinary = controllerBinary
        prometheusProcess = LockedValue(prometheus)
        monitors = Dictionary(uniqueKeysWithValues: namespaces.map { ($0, ClusterMonitor(client: client, namespace: $0)) })
    }

    var prometheus: PrometheusProcess { prometheusProcess.get }

    static func start(namespaces: [String], shards: Int, controllerBinary: String, directory: URL) async throws -> ChaosCluster {
        var election = ControllerProcess.LeaderElection()
        election.shards = shards
        let sim = try await KubeSimProcess.start(in: directory)
        var started: [ChildProcess] = [sim.process]
        do {
            let kubectl = Kubectl(binary: try Binaries.kubectl(), kubeconfig: sim.kubeconfig.path, scratch: directory)
            let client = try KubeClient(
                config: try KubeConfig.load(path: sim.kubeconfig.path),
                options: KubeClient.Options(qps: 1000, burst: 1000, requestTimeout: 10, userAgent: "cutover-chaos-monitor"))
            let prometheus = try await PrometheusProcess.start(scraping: sim.address, in: directory)
            started.append(prometheus.process)
            let receiver = try await WebhookReceiver()
            let cluster = ChaosCluster(
                directory: directory, namespaces: namespaces, sim: sim, kubectl: kubectl, client: client, receiver: receiver,
                prometheus: prometheus, controllerBinary: controllerBinary, election: election)
            // Notifications to /hang/ never get an answer in time; hooks of a Rollout marked failing answer 500.
            receiver.respond { path, _ in
                if path.hasPrefix("/hang/") { return .init(status: 200, delay: .seconds(20)) }
                if path.hasPrefix("/hook/"), cluster.failingHooks.get.contains(String(path.dropFirst("/hook/".count))) {
                    return .init(status: 500, body: "chaos: this release's smoke test fails")
                }
                return .init()
            }
            for namespace in namespaces + [election.leaseNamespace] {
                try await kubectl("create", "namespace", namespace)
            }
            for monitor in cluster.monitors.values { try await monitor.start() }
            for name in replicas { try cluster.startController(name) }
            return cluster
        } catch {
            for process in started { await process.stop() }
            throw error
        }
    }

    func stop() async {
        for monitor in monitors.values { await monitor.stop() }
        for process in controllers.get.values {
            Glibc.kill(process.pid, SIGCONT)
            await process.stop()
        }
        await prometheus.process.stop()
        await receiver.stop()
        await sim.process.stop()
        try? await client.shutdown()
    }

    // MARK: - Controller replicas

    private func startController(_ name: String) throws {
        let process = try ControllerProcess.start(
            name, binary: controllerBinary, kubeconfig: sim.kubeconfig, leaderElection: election, in: directory)
        controllers.update { $0[name] = process }
    }

    /// Restarts every replica that exited by itself (as its pod's restart policy would), unless a
    /// fault holds it down; returns the names restarted.
    func superviseControllers() throws -> [String] {
        let exited = controllers.get.filter { !$0.value.isRunning && !heldDown.get.contains($0.key) }.map(\.key).sorted()
        for name in exited {
            if let process = controllers.get[name] {
                let crashed = process.endedBySignal || process.exitStatus != 1
                selfExits.update { $0.append((name, process.exitStatus, crashed)) }
            }
            try startController(name)
        }
        return exited
    }

    /// The replica holding the Lease now (with shards: shard 0's), if any.
    func leader() async -> String? {
        let name = election.shards > 1 ? "\(election.leaseName)-shard-0" : election.leaseName
        let lease = try? await client.get(Lease.self, name: name, namespace: election.leaseNamespace)
        let holder = lease?.spec?.holderIdentity ?? ""
        return Self.replicas.first { holder.hasPrefix("\($0)_") }
    }

    /// SIGKILLs `replica` (the leader when nil) and starts it again after `downFor`.
    func killController(_ replica: String? = nil, downFor: Duration) async throws -> String? {
        let target: String?
        if let replica { target = replica } else { target = await leader() }
        guard let name = target, let process = controllers.get[name] else { return nil }
        heldDown.update { _ = $0.insert(name) }
        defer { heldDown.update { _ = $0.remove(name) } }
        await process.stop(signal: SIGKILL)
        try await Task.sleep(for: downFor)
        try startController(name)
        return name
    }

    /// SIGSTOPs the leader for `pausedFor` (past its lease, so the other replica takes over), then
    /// SIGCONTs it: it must notice it lost the lease before it acts again.
    func pauseLeader(for pausedFor: Duration) async throws -> String? {
        guard let name = await leader(), let process = controllers.get[name] else { return nil }
        heldDown.update { _ = $0.insert(name) }
        defer { heldDown.update { _ = $0.remove(name) } }
        Glibc.kill(process.pid, SIGSTOP)
        try await Task.sleep(for: pausedFor)
        Glibc.kill(process.pid, SIGCONT)
        return name
    }

    /// Peak resident memory of each replica's current process.
    var controllerPeakRSS: [String: Int] { controllers.get.mapValues(\.peakResidentBytes) }

    /// The last lines of every replica's log.
    func controllerLogTails(_ lines: Int) -> String {
        controllers.get.sorted { $0.key < $1.key }.map { "---- \($0.key) ----\n\($0.value.logTail(lines))" }.joined(separator: "\n")
    }

    // MARK: - Prometheus and kube-sim faults

    /// SIGKILLs Prometheus and starts it again on the same port after `downFor`.
    func restartPrometheus(downFor: Duration) async throws {
        let old = prometheus
        await old.process.stop(signal: SIGKILL)
        try await Task.sleep(for: downFor)
        prometheusProcess.set(try await PrometheusProcess.start(scraping: sim.address, in: directory, port: old.port))
    }

    /// Posts a `/sim/faults` body to kube-sim (its admin endpoints take no token).
    func postFaults(_ body: JSONValue, method: String = "POST") async throws {
        let url = "https://\(sim.address)/sim/faults"
        var arguments = ["-sk", "--fail-with-body", "-X", method, url]
        if method == "POST" { arguments += ["-H", "Content-Type: application/json", "-d", JSONWriter.string(body)] }
        let log = directory.appendingPathComponent("curl-\(UUID().uuidString).log")
        let curl = try ChildProcess.start(name: "curl", executable: try Self.curl(), arguments: arguments, logFile: log)
        defer { try? FileManager.default.removeItem(at: log) }
        _ = try await eventually("curl \(method) /sim/faults", timeout: .seconds(30)) { (curl.isRunning ? nil : true, "running") }
        if curl.exitStatus != 0 { throw ChaosError("POST /sim/faults failed: \(curl.logTail(5))") }
    }

    private static func curl() throws -> String {
        guard let path = ["/usr/bin/curl", "/bin/curl"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw ChaosError("curl is not installed; hack/test.sh installs it (apt-get install -y curl)")
        }
        return path
    }
}

/// Why the run could not go on.
struct ChaosError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
