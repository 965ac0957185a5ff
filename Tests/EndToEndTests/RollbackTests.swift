import Cutover
import Foundation
import KubeModels
import Testing

#if canImport(Glibc)
import Glibc
@testable import ClusterHarness
#endif

extension EndToEnd {
    /// `spec.rollbackWindow` and `kubectl cutover undo` (the plugin, found by kubectl on PATH).
    @Suite("Fast rollback") struct RollbackTests {
        @Test("kubectl cutover undo puts the previous revision back without a canary; undone again across a controller kill")
        func undoRollsBackWithoutACanary() async throws {
            try await EndToEndCluster.run { cluster in
                var manifest = cluster.rolloutManifest()
                manifest.rollbackWindow = "{revisions: 2}"
                let blue = try await cluster.deployFirst(manifest)

                manifest.image = "registry.example.com/payment:1.4.3"
                let applied = Date()
                let released = try await cluster.release(manifest, until: "Healthy on the new revision") {
                    $0.status?.phase == .healthy && $0.status?.activeRevision != blue
                }
                let green = try #require(released.status?.activeRevision)
                let releaseSwitch = try #require(cluster.monitor.model().firstTime("payment", selects: .revision(green)))

                // 1. Undo: blue back on the Service, with no step between.
                let undoAt = Date()
                let said = try await cluster.kubectl("cutover", "undo", "payment", "-n", cluster.namespace)
                #expect(said.hasPrefix("rollout.cutover.dev/payment rolled back to \(blue)\nNext: a fast rollback"), "\(said)")
                let back = try await cluster.monitor.waitForRollout("payment", "Healthy on blue again") {
                    $0.status?.phase == .healthy && $0.status?.activeRevision == blue
                }
                let model = cluster.monitor.model()
                let undoSwitch = try #require(model.firstTime("payment", selects: .revision(blue), after: undoAt))
                #expect(model.selectorHistory("payment").suffix(2) == [.revision(green), .revision(blue)], "no split on a rollback")
                let record = try #require(back.status?.history?.last)
                #expect(record.revision == blue && record.rollback == true && record.outcome == .promoted)
                #expect(record.timeline.map(\.type) == [.started, .cutOver, .completed], "\(record.timeline.map(\.message))")
                #expect(record.measurements ?? [] == [], "no analysis on a rollback")
                print(
                    "e2e rollback: a release of payment took \(releaseSwitch.timeIntervalSince(applied))s from apply to the Service switch; "
                        + "kubectl cutover undo took \(undoSwitch.timeIntervalSince(undoAt))s from the command to the switch")

                // 2. Undo to the newer revision, the controller killed while the switch cannot land.
                try await cluster.injectFaults(#"{"rules": [{"verb": "patch", "resource": "services", "userAgent": "cutover/", "code": 500}]}"#)
                _ = try await cluster.kubectl("cutover", "undo", "payment", "--to-revision", green, "-n", cluster.namespace)
                let stuck = try await cluster.monitor.waitForRollout("payment", "the rollback to green under way") {
                    $0.status?.greenRevision == green && $0.status?.history?.last?.rollback == true
                }
                #expect(try await cluster.selectedRevision() == blue)
                let first = try #require(cluster.controllerProcesses.last { $0.isRunning })
                await first.stop(signal: SIGKILL)
                try await cluster.clearFaults()
                try await cluster.startController("controller-2")
                let again = try await cluster.monitor.waitForRollout("payment", "Healthy on green again") {
                    $0.status?.phase == .healthy && $0.status?.activeRevision == green
                }
                let redo = try #require(again.status?.history?.last)
                #expect(redo.revision == green && redo.rollback == true && redo.startedAt == stuck.status?.history?.last?.startedAt, "one rollback, not restarted")
                #expect(try await cluster.selectedRevision() == green)
                #expect(cluster.monitor.model().timeline.creations.values.allSatisfy { $0 == 1 }, "each Deployment created once, then reused")
            }
        }
    }
}
