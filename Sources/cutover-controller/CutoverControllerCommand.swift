import ArgumentParser
import CutoverController
import Foundation
import KubeAPI
import KubeRuntime
import Logging
import ServiceLifecycle

/// `cutover-controller`: reconciles Rollouts until SIGTERM or SIGINT, then stops taking keys,
/// finishes the reconciles in flight and releases the lease.
@main
struct CutoverControllerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cutover-controller",
        abstract: "Blue/green releases with a canary step and automatic rollback on Prometheus analysis.")

    @Option(help: "Path to a kubeconfig (default: $KUBECONFIG, the in-cluster service account, ~/.kube/config).")
    var kubeconfig: String?

    @Option(help: "The kubeconfig context to use (default: its current-context).")
    var context: String?

    @Option(name: .customLong("namespace"), help: "A namespace to watch, repeatable (default: all namespaces).")
    var namespaces: [String] = []

    @Option(help: "Rollouts reconciled at once (with --shards: per shard the replica acts on).")
    var workers = 4

    @Option(help: "Steady API request rate (requests per second).")
    var qps: Double = 50

    @Option(help: "API requests allowed in a burst above --qps.")
    var burst = 100

    @Option(
        name: .customLong("spare-connections"),
        help: "Idle API server connections kept ready, so that a release group's Services switch in parallel without TLS handshakes.")
    var spareConnections = 16

    @Option(
        name: .customLong("outbound-policy"),
        help: "A YAML file bounding where Prometheus queries, gate hooks, notifications and promotion sources may go (docs/security.md); link-local, cloud metadata and the API server are always denied.")
    var outboundPolicy: String?

    @Option(name: .customLong("leader-elect"), help: "Take part in leader election (on or off); only the leader acts.")
    var leaderElect: Toggle = .on

    @Option(
        help: "Shards the Rollouts are split into (docs/scale.md). 1: one replica acts on all of them (leader election). More: every replica acts on its share of the shards, each owned through a Lease.")
    var shards = 1

    @Option(name: .customLong("lease-namespace"), help: "Namespace of the leader election Lease.")
    var leaseNamespace = "cutover-system"

    @Option(name: .customLong("lease-name"), help: "Name of the leader election Lease.")
    var leaseName = "cutover-controller"

    @Option(name: .customLong("lease-duration"), help: "Seconds a lease stays valid after the holder's last renewal.")
    var leaseDuration: Double = 15

    @Option(name: .customLong("renew-deadline"), help: "Seconds the leader keeps trying to renew before it stops acting.")
    var renewDeadline: Double = 10

    @Option(name: .customLong("retry-period"), help: "Seconds between attempts to acquire or renew the lease.")
    var retryPeriod: Double = 2

    @Option(name: .customLong("health-address"), help: "host:port serving /healthz and /readyz; empty disables it.")
    var healthAddress = ":8081"

    @Option(
        name: .customLong("metrics-address"),
        help: "host:port serving /metrics (Prometheus text format); the same as --health-address shares its listener; empty disables it.")
    var metricsAddress = ":8080"

    @Option(
        name: .customLong("shutdown-timeout"),
        help: "Seconds a graceful shutdown (SIGTERM/SIGINT) may take to finish reconciles and release the lease before they are cancelled.")
    var shutdownTimeout: Double = 25

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: Logger.Level = .info

    @Option(name: .customLong("log-format"), help: "text or json.")
    var logFormat: LogFormat = .text

    enum Toggle: String, ExpressibleByArgument, CaseIterable { case on, off }
    enum LogFormat: String, ExpressibleByArgument, CaseIterable { case text, json }

    func validate() throws {
        guard workers >= 1 else { throw ValidationError("--workers must be at least 1") }
        guard qps > 0, burst >= 1 else { throw ValidationError("--qps must be above 0 and --burst at least 1") }
        guard (0...KubeClient.maxRequestConnections).contains(spareConnections) else {
            throw ValidationError("--spare-connections must be between 0 and \(KubeClient.maxRequestConnections)")
        }
        if !healthAddress.isEmpty, Self.split(address: healthAddress) == nil {
            throw ValidationError("--health-address must be host:port or :port, not \"\(healthAddress)\"")
        }
        if !metricsAddress.isEmpty, Self.split(address: metricsAddress) == nil {
            throw ValidationError("--metrics-address must be host:port or :port, not \"\(metricsAddress)\"")
        }
        guard shutdownTimeout > 0 else { throw ValidationError("--shutdown-timeout must be above 0") }
        guard (1...256).contains(shards) else { throw ValidationError("--shards must be between 1 and 256") }
        if shards > 1, leaderElect == .off {
            throw ValidationError("--shards \(shards) needs the shard Leases: drop --leader-elect off")
        }
    }

    /// The policy file, or the built-in policy without one; a file that cannot be read or parsed
    /// stops the start with what is wrong in it.
    static func loadPolicy(_ path: String?) throws -> OutboundPolicy {
        guard let path else { return OutboundPolicy() }
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ValidationError("--outbound-policy: cannot read \(path): \(error.localizedDescription)")
        }
        do {
            return try OutboundPolicy.parse(yaml: text, origin: path)
        } catch {
            throw ValidationError("--outbound-policy: \(error)")
        }
    }

    func run() async throws {
        Malloc.limitArenas()
        let trimming = Malloc.trimPeriodically()
        defer { trimming.cancel() }
        let level = logLevel
        let format = logFormat
        LoggingSystem.bootstrap { label in
            var handler: any LogHandler =
                format == .json ? JSONLogHandler(label: label) : StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "cutover.main")
        let configured = try Self.loadPolicy(outboundPolicy)
        let config = try KubeConfig.detect(path: kubeconfig, context: context)
        let metrics = ControllerMetrics()
        let identity = Self.identity()
        var election = try LeaderElectionConfiguration(
            leaseName: leaseName, leaseNamespace: leaseNamespace, identity: identity,
            leaseDuration: .seconds(leaseDuration), renewDeadline: .seconds(renewDeadline), retryPeriod: .seconds(retryPeriod))
        election.remedy =
            "not acting until it can: create namespace \"\(leaseNamespace)\" (or point --lease-namespace at one that exists) "
            + "and let the controller create and update Leases there, or run a single replica with --leader-elect off"
        // The Lease is written through a client of its own: every other write is fenced by it.
        let electionClient = leaderElect == .on ? try KubeClient(config: config, options: KubeClient.Options(qps: 0)) : nil
        let sharded = electionClient.flatMap { shards > 1 ? ShardLeases(client: $0, map: ShardMap(count: shards), configuration: election) : nil }
        let elector: LeaderElector? = sharded == nil ? electionClient.map { LeaderElector(client: $0, configuration: election) } : nil
        let fence: (@Sendable () -> String?)? =
            if let sharded { { sharded.fenceReason() } } else if let elector { { elector.fenceReason() } } else { nil }
        let client = try KubeClient(
            config: config,
            options: KubeClient.Options(
                qps: qps, burst: burst, observer: { metrics.observe($0) }, spareConnections: spareConnections, writeFence: fence))
        let assembly = ControllerAssembly(
            // The controller adds its API server to what it denies; the runner is told here.
            client: client, namespaces: namespaces, policy: configured, analysisPolicy: configured.denyingAPIServer(config.server),
            identity: identity, workers: workers, metrics: metrics)
        let running = RunningControllers()
        let controllers: any Service
        if let sharded {
            controllers = ShardedControllerService(leases: sharded, assembly: assembly, running: running, metrics: metrics, logger: logger)
        } else {
            let built = assembly.build(shards: nil)
            running[0] = built
            controllers = ControllerService(manager: built.manager, elector: elector, metrics: metrics, logger: logger)
        }

        let servers: [OperationsServer]
        do {
            servers = try await startServers(running: running, elector: elector, shards: sharded, metrics: metrics, logger: logger)
        } catch {
            try? await client.shutdown()
            try? await electionClient?.shutdown()
            throw error
        }
        logger.info(
            "starting", metadata: ["server": "\(config.server)", "identity": "\(identity)", "shards": "\(shards)",
                                   "namespaces": "\(namespaces.isEmpty ? "all" : namespaces.joined(separator: ","))"])

        // Stopped in reverse order: the controller drains and releases the lease first, while the
        // probes and /metrics still answer.
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = servers.map { server in
            ServiceGroupConfiguration.ServiceConfiguration(
                service: server, successTerminationBehavior: .gracefullyShutdownGroup, serviceName: "http:\(server.port)")
        }
        services.append(
            ServiceGroupConfiguration.ServiceConfiguration(
                service: controllers,
                successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .gracefullyShutdownGroup,
                serviceName: "controller"))
        // Last, so it is the first to hear of a shutdown: it bounds the whole of it.
        services.append(
            ServiceGroupConfiguration.ServiceConfiguration(
                service: ShutdownDeadline(seconds: shutdownTimeout + 5, logger: logger),
                successTerminationBehavior: .ignore, serviceName: "shutdown-deadline"))
        var configuration = ServiceGroupConfiguration(
            services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        // After the timeout the group cancels what is still running; ShutdownDeadline exits 5 s
        // later if even that hangs (ServiceLifecycle's own cancellation bound would crash).
        configuration.maximumGracefulShutdownDuration = .milliseconds(Int64(shutdownTimeout * 1000))
        configuration.maximumCancellationDuration = nil
        let outcome: Result<Void, any Error>
        do {
            try await ServiceGroup(configuration: configuration).run()
            outcome = .success(())
        } catch {
            outcome = .failure(error)
        }
        for server in servers { await server.stop() }
        try? await client.shutdown()
        try? await electionClient?.shutdown()
        if case .failure(let error) = outcome {
            logger.error("stopped: \(error)")
            throw ExitCode(1)
        }
        logger.info("stopped")
    }

    /// Binds the health and metrics listeners (one when both addresses are the same).
    private func startServers(
        running: RunningControllers, elector: LeaderElector?, shards: ShardLeases?, metrics: ControllerMetrics, logger: Logger
    ) async throws -> [OperationsServer] {
        let sources = OperationsServer.Sources(
            ready: { Self.notReady(running: running.all, elector: elector, shards: shards) },
            metrics: {
                let isLeader = shards.map { !$0.active.isEmpty } ?? elector?.isLeader ?? true
                await metrics.update(from: running.all.map(\.rollouts), isLeader: isLeader, shards: shards)
                return metrics.exposition()
            },
            metricsContentType: ControllerMetrics.contentType)
        var listeners: [(address: String, endpoints: OperationsServer.Endpoints)] = []
        if !healthAddress.isEmpty { listeners.append((healthAddress, .health)) }
        if !metricsAddress.isEmpty {
            if let index = listeners.firstIndex(where: { $0.address == metricsAddress }) {
                listeners[index].endpoints.insert(.metrics)
            } else {
                listeners.append((metricsAddress, .metrics))
            }
        }
        var servers: [OperationsServer] = []
        for listener in listeners {
            guard let (host, port) = Self.split(address: listener.address) else { continue }
            do {
                let server = try await OperationsServer.start(host: host, port: port, endpoints: listener.endpoints, sources: sources)
                servers.append(server)
                let paths = (listener.endpoints.contains(.health) ? ["/healthz", "/readyz"] : [])
                    + (listener.endpoints.contains(.metrics) ? ["/metrics"] : [])
                logger.info(
                    "serving \(paths.joined(separator: ", "))",
                    metadata: ["address": "\(host.isEmpty ? "0.0.0.0" : host):\(server.port)"])
            } catch {
                for server in servers { await server.stop() }
                throw ListenError(description: "cannot listen on \(listener.address): \(error)")
            }
        }
        return servers
    }

    /// Why `/readyz` fails, or nil. A replica waiting for the lease is ready (a healthy standby);
    /// one that cannot campaign at all (no such namespace, no RBAC) is not, and says why. A
    /// sharded replica acting on no shard is a standby too.
    static func notReady(running: [ControllerAssembly.Built], elector: LeaderElector?, shards: ShardLeases?) -> String? {
        if let shards {
            if running.isEmpty { return shards.campaignProblem.map { "not acting: \($0)" } }
            let syncing = running.filter { !$0.manager.hasSynced }.compactMap { $0.rollouts.reconciler.configuration.shards?.active.min() }
            return syncing.isEmpty ? nil : "caches of shards \(syncing.sorted()) not synced"
        }
        guard let manager = running.first?.manager else { return "not started" }
        if manager.hasSynced { return nil }
        guard let elector, !elector.isLeader else { return "caches not synced" }
        guard let problem = elector.campaignProblem else { return nil }
        let lease = "\(elector.configuration.leaseNamespace)/\(elector.configuration.leaseName)"
        return "not acting: cannot acquire the Lease \(lease): \(problem)"
    }

    static func split(address: String) -> (String, Int)? {
        guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]),
            (0...65535).contains(port)
        else { return nil }
        return (String(address[..<colon]), port)
    }

    /// The pod name (`$POD_NAME`, else the host name) and a random suffix, so two processes on one
    /// host never share an identity.
    static func identity() -> String {
        let environment = ProcessInfo.processInfo.environment
        let base = environment["POD_NAME"] ?? ProcessInfo.processInfo.hostName
        let suffix = String(UInt32.random(in: 0...UInt32.max), radix: 36)
        return "\(base)_\(suffix)"
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}

/// A health or metrics address could not be bound (in use, not an address of this host).
struct ListenError: Error, CustomStringConvertible {
    var description: String
}
