import ClusterHarness
import Cutover
import Foundation
import SimulatorHarness
import KubeAPI
import KubeModels
import Testing

/// SIGTERM and SIGINT stop the `cutover-controller` binary gracefully: exit 0 within seconds, and
/// the leader Lease handed back (empty holder) so another replica can take over at once.
@Suite("Graceful shutdown of the controller binary", .serialized, .timeLimit(.minutes(2)))
struct GracefulShutdownTests {
    @Test(arguments: [("SIGTERM", SIGTERM), ("SIGINT", SIGINT)])
    func aSignalReleasesTheLeaseAndExitsZero(name: String, signal: Int32) async throws {
        try await withBinaryCluster { _, client, kubeconfig in
            let lease = "shutdown-\(name.lowercased())"
            let controller = try ControllerProcess(
                arguments: controllerArguments(
                    kubeconfig: kubeconfig, leaseName: lease, healthPort: try freeLoopbackPort(),
                    metricsPort: try freeLoopbackPort()))
            defer { controller.kill() }
            let holder = try await eventually("the controller to hold the Lease", timeout: .seconds(30)) {
                let current = try? await client.get(Lease.self, name: lease, namespace: "default")
                let holder = current?.spec?.holderIdentity ?? ""
                return (holder.isEmpty ? nil : holder, "holder \(holder.isEmpty ? "-" : holder); running \(controller.isRunning)")
            }
            // A Rollout to reconcile, so shutdown happens with caches and workers busy.
            try await ReleaseTests.createService(client)
            _ = try await client.create(try ReleaseFixture.rollout(prometheus: "http://127.0.0.1:1", query: "vector(0)", pause: "1h"))
            _ = try await eventually("the controller to act on the Rollout", timeout: .seconds(30)) {
                let rollout = try await client.get(Rollout.self, name: "web", namespace: ReleaseTests.namespace)
                return (rollout.status?.phase != nil ? true : nil, "no status yet")
            }

            let signalled = ContinuousClock.now
            controller.send(signal)
            let status = await controller.waitForExit(timeout: .seconds(15))
            let took = ContinuousClock.now - signalled
            #expect(status == 0, "exit status \(status.map(String.init) ?? "none: still running after 15s"); output:\n\(controller.output)")
            #expect(took < .seconds(10), "shutdown took \(took)")
            let released = try await client.get(Lease.self, name: lease, namespace: "default")
            #expect(released.spec?.holderIdentity ?? "" == "", "the Lease still names \(released.spec?.holderIdentity ?? "-"), was \(holder)")
            #expect(released.spec?.leaseDurationSeconds == 1, "a released Lease expires at once")
        }
    }

    /// An API server that stops answering cannot hold the process forever, nor make it crash: past
    /// `--shutdown-timeout` (plus 5 s for cancellation) it logs why and exits with status 1.
    @Test func aShutdownStuckOnAnUnansweringServerEndsWithStatusOneNotACrash() async throws {
        try await withBinaryCluster { sim, client, kubeconfig in
            let lease = "shutdown-stuck"
            let controller = try ControllerProcess(
                arguments: controllerArguments(
                    kubeconfig: kubeconfig, leaseName: lease, healthPort: try freeLoopbackPort(),
                    metricsPort: try freeLoopbackPort()) + ["--shutdown-timeout", "1"])
            defer { controller.kill() }
            _ = try await eventually("the controller to hold the Lease", timeout: .seconds(30)) {
                let holder = (try? await client.get(Lease.self, name: lease, namespace: "default"))?.spec?.holderIdentity ?? ""
                return (holder.isEmpty ? nil : holder, "no holder yet; running \(controller.isRunning)")
            }
            // Every API request from now on waits 60 s: releasing the Lease cannot finish.
            let (added, answer) = await sim.request("POST", "/sim/faults", body: ["unresponsiveSeconds": 60])
            try #require(added == 200 || added == 201, "POST /sim/faults: \(answer)")

            let signalled = ContinuousClock.now
            controller.send(SIGTERM)
            let status = await controller.waitForExit(timeout: .seconds(20))
            let took = ContinuousClock.now - signalled
            _ = await sim.request("DELETE", "/sim/faults")
            #expect(status == 0 || status == 1, "exit status \(status.map(String.init) ?? "none: still running after 20s"); output:\n\(controller.output)")
            #expect(took < .seconds(9), "shutdown took \(took)")
            #expect(!controller.output.contains("Fatal error"), "a crash instead of an exit:\n\(controller.output)")
        }
    }
}
