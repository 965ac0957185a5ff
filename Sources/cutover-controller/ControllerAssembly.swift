import CutoverController
import KubeAPI
import KubeRuntime
import Logging
import Synchronization

/// Builds the controllers one replica runs (Rollouts, ReleaseGroups and, with shards, the shard
/// labels) in one ``ControllerManager``: once, or with `--shards` again whenever the shards the
/// replica acts on change (their caches are listed with the shards' label selector).
struct ControllerAssembly: Sendable {
    /// What runs, and what `/readyz` and `/metrics` read.
    struct Built: Sendable {
        let manager: ControllerManager
        let rollouts: Controller<RolloutController>
    }

    let client: KubeClient
    let namespaces: [String]
    let policy: OutboundPolicy
    /// The policy Prometheus queries are held to: `policy` and the API server.
    let analysisPolicy: OutboundPolicy
    let identity: String
    let workers: Int
    let metrics: ControllerMetrics

    func build(shards: ShardScope?) -> Built {
        let rollouts = Controller(
            RolloutController(
                client: client, configuration: .init(namespaces: namespaces, outboundPolicy: policy, shards: shards),
                runner: AnalysisRunner(
                    secrets: KubeSecretReader(client: client), observer: metrics, policy: analysisPolicy, jobs: JobRunner(client: client)),
                recorder: EventRecorder(client: client, component: "cutover-controller", instance: identity),
                metrics: metrics),
            configuration: .init(workers: workers), logger: Logger(label: "cutover.controller"))
        let groups = Controller(
            ReleaseGroupController(sharing: rollouts.reconciler), configuration: .init(workers: workers),
            logger: Logger(label: "cutover.groups"))
        // One manager, so the Rollout and ReleaseGroup caches both reconcilers read run once.
        let manager: ControllerManager
        if let labeler = ShardLabeler(for: rollouts.reconciler) {
            manager = ControllerManager(rollouts, groups, Controller(labeler, configuration: .init(workers: 2), logger: Logger(label: "cutover.shards")))
        } else {
            manager = ControllerManager(rollouts, groups)
        }
        return Built(manager: manager, rollouts: rollouts)
    }
}

/// The controllers running now (none while a sharded replica acts on no shard or rebuilds).
final class RunningControllers: Sendable {
    private let built = Mutex<ControllerAssembly.Built?>(nil)

    var current: ControllerAssembly.Built? {
        get { built.withLock { $0 } }
        set { built.withLock { $0 = newValue } }
    }
}
