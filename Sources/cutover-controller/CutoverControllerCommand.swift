import ArgumentParser
import CutoverController
import Foundation
import KubeAPI
import KubeRuntime
import Logging

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

    @Option(help: "Rollouts reconciled at once.")
    var workers = 4

    @Option(help: "Steady API request rate (requests per second).")
    var qps: Double = 50

    @Option(help: "API requests allowed in a burst above --qps.")
    var burst = 100

    @Option(name: .customLong("leader-elect"), help: "Take part in leader election (on or off); only the leader acts.")
    var leaderElect: Toggle = .on

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
    var healthAddress = "0.0.0.0:8081"

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: Logger.Level = .info

    @Option(name: .customLong("log-format"), help: "text or json.")
    var logFormat: LogFormat = .text

    enum Toggle: String, ExpressibleByArgument, CaseIterable { case on, off }
    enum LogFormat: String, ExpressibleByArgument, CaseIterable { case text, json }

    func validate() throws {
        guard workers >= 1 else { throw ValidationError("--workers must be at least 1") }
        guard qps > 0, burst >= 1 else { throw ValidationError("--qps must be above 0 and --burst at least 1") }
        if !healthAddress.isEmpty, Self.split(address: healthAddress) == nil {
            throw ValidationError("--health-address must be host:port, not \"\(healthAddress)\"")
        }
    }

    func run() async throws {
        let level = logLevel
        let format = logFormat
        LoggingSystem.bootstrap { label in
            var handler: any LogHandler =
                format == .json ? JSONLogHandler(label: label) : StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "cutover.main")
        let config = try KubeConfig.detect(path: kubeconfig, context: context)
        let client = try KubeClient(config: config, options: KubeClient.Options(qps: qps, burst: burst))
        let identity = Self.identity()
        let controller = RolloutController(
            client: client, configuration: .init(namespaces: namespaces, workers: workers),
            runner: AnalysisRunner(secrets: KubeSecretReader(client: client)),
            recorder: EventRecorder(client: client, component: "cutover-controller", instance: identity))
        let elector: LeaderElector? =
            leaderElect == .on
            ? LeaderElector(
                client: client,
                configuration: try LeaderElectionConfiguration(
                    leaseName: leaseName, leaseNamespace: leaseNamespace, identity: identity,
                    leaseDuration: .seconds(leaseDuration), renewDeadline: .seconds(renewDeadline),
                    retryPeriod: .seconds(retryPeriod)))
            : nil

        var health: HealthServer?
        if let (host, port) = Self.split(address: healthAddress) {
            // A replica waiting for the lease is ready: it is a healthy standby.
            health = try await HealthServer.start(host: host, port: port) {
                controller.hasSynced || (elector.map { !$0.isLeader } ?? false)
            }
            logger.info("serving /healthz and /readyz", metadata: ["address": "\(host):\(health?.port ?? port)"])
        }
        logger.info(
            "starting", metadata: ["server": "\(config.server)", "identity": "\(identity)",
                                   "namespaces": "\(namespaces.isEmpty ? "all" : namespaces.joined(separator: ","))"])

        let outcome: Result<Void, any Error> = await {
            do {
                try await SignalCancellation.untilSignalled(logger: logger) {
                    if let elector {
                        try await elector.withLeadership { await controller.run() }
                    } else {
                        await controller.run()
                    }
                }
                return .success(())
            } catch is CancellationError {
                return .success(())
            } catch {
                return .failure(error)
            }
        }()
        await health?.stop()
        try? await client.shutdown()
        if case .failure(let error) = outcome {
            logger.error("stopped: \(error)")
            throw ExitCode(1)
        }
        logger.info("stopped")
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
