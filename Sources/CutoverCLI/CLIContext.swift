import Cutover
import KubeAPI
import KubeModels

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What every command needs: a client for the cluster, the namespace to act in, where to write,
/// and the clock. Build it with ``connect(kubeconfig:context:namespace:console:)`` from kubectl's flags.
public struct CLIContext: Sendable {
    /// The field manager of every write the plugin makes (`managedFields`, and
    /// `status.history[].startedBy` for a template written by undo), told apart from the
    /// controller's `cutover`.
    public static let fieldManager = "kubectl-cutover"

    /// The API client (the caller shuts it down).
    public var client: KubeClient
    /// `-n/--namespace`, else the context's namespace, else `default`.
    public var namespace: String
    /// Where output goes.
    public var console: Console
    /// After how many seconds without the controller acting on a Rollout a warning is printed.
    public var staleAfter: Double
    /// The current time (a function so tests can fix it).
    public var now: @Sendable () -> Date

    public init(
        client: KubeClient, namespace: String, console: Console, staleAfter: Double = 60,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.client = client
        self.namespace = namespace
        self.console = console
        self.staleAfter = staleAfter
        self.now = now
    }

    /// Reads the configuration as kubectl does (`--kubeconfig`, else `$KUBECONFIG`, else in-cluster,
    /// else `~/.kube/config`; `--context`, else `current-context`) and makes a client.
    public static func connect(
        kubeconfig: String?, context: String?, namespace: String?, console: Console
    ) throws -> CLIContext {
        let config: KubeConfig
        do {
            config = try KubeConfig.detect(path: kubeconfig, context: context)
        } catch {
            throw CLIError.configuration("\(error)")
        }
        let client = try KubeClient(config: config, options: KubeClient.Options(requestTimeout: 30))
        return CLIContext(client: client, namespace: namespace ?? config.namespace, console: console)
    }

    /// The named Rollout in ``namespace``; a missing one throws the server's NotFound.
    public func rollout(_ name: String) async throws -> Rollout {
        try await client.get(Rollout.self, name: name, namespace: namespace)
    }

    /// The revision Deployments of `rollout` (labelled `cutover.dev/rollout=<name>`).
    public func deployments(of rollout: Rollout) async throws -> [Deployment] {
        try await client.list(Deployment.self, namespace: namespace, options: ListOptions(labelSelector: rollout.deploymentSelector)).items
    }

    /// The Services `rollout` names, by name; missing ones are left out.
    public func services(of rollout: Rollout) async throws -> [String: Service] {
        var found: [String: Service] = [:]
        for name in rollout.serviceNames {
            do {
                found[name] = try await client.get(Service.self, name: name, namespace: namespace)
            } catch let error as KubeError where error.isNotFound {
                continue
            }
        }
        return found
    }

    /// Prints the "is the controller running?" warning to standard error when it applies.
    func warnIfStale(_ object: some ControllerObserved) {
        if let warning = ControllerLag.warning(for: object, now: now(), threshold: staleAfter) { console.printError(warning) }
    }
}
