import CutoverController
import KubeRuntime
import Logging
import ServiceLifecycle

/// The controllers (Rollouts and ReleaseGroups, in one manager), behind leader election when it
/// is on, as one ServiceLifecycle service.
///
/// The elector and the controller are one service, not two: the controller must stop acting the
/// instant leadership is lost, which ``LeaderElector/withLeadership(_:)`` guarantees by running it
/// as a child task; two sibling services would need their own signalling for that.
///
/// On graceful shutdown (SIGTERM/SIGINT) the controller's task is cancelled: it stops taking keys,
/// lets the reconciles in flight finish, and then the elector releases the Lease (empty holder),
/// so another replica can take over at once. Losing the lease is a failure (exit 1, the pod
/// restarts and campaigns again), as with client-go.
struct ControllerService: Service {
    let manager: ControllerManager
    let elector: LeaderElector?
    let metrics: ControllerMetrics
    let logger: Logger

    func run() async throws {
        let manager = manager
        let elector = elector
        let metrics = metrics
        metrics.setLeader(elector == nil)
        do {
            try await cancelWhenGracefulShutdown {
                guard let elector else { return try await manager.run() }
                try await elector.withLeadership {
                    metrics.setLeader(true)
                    try await manager.run()
                }
            }
        } catch is CancellationError {
            // Shut down while campaigning for the lease: nothing was running.
        }
        metrics.setLeader(false)
        logger.info("controller stopped")
    }
}
