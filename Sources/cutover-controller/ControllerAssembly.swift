import CutoverController
import KubeAPI
import KubeRuntime
import Logging
import Synchronization

/// Builds the controllers one replica runs: the Rollout and ReleaseGroup controllers in one
/// ``ControllerManager``, once, or with `--shards` once per shard the replica acts on (their
/// caches listed with that shard's label selector); and with `--shards` the replica's
/// ``ShardLabeler``.
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

    /// The controllers of every Rollout (`shards` nil), or of the Rollouts of `shards`.
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
        return Built(manager: ControllerManager(rollouts, groups), rollouts: rollouts)
    }

    /// The replica's shard labeller, for as long as it runs.
    func labeler(_ leases: ShardLeases) -> ControllerManager {
        ControllerManager(
            Controller(
                ShardLabeler(client: client, leases: leases, namespaces: namespaces), configuration: .init(workers: 2),
                logger: Logger(label: "cutover.shards")))
    }
}

/// The controllers running now, by shard (without shards: one, under shard 0).
final class RunningControllers: Sendable {
    private let built = Mutex<[Int: ControllerAssembly.Built]>([:])

    var all: [ControllerAssembly.Built] { built.withLock { $0.sorted { $0.key < $1.key }.map(\.value) } }

    subscript(shard: Int) -> ControllerAssembly.Built? {
        get { built.withLock { $0[shard] } }
        set { built.withLock { $0[shard] = newValue } }
    }
}
