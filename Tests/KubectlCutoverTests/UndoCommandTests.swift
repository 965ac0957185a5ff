import Cutover
import CutoverCLI
import Foundation
import KubeAPI
import KubeModels
import SimulatorHarness
import Testing

/// `undo` against KubeSim with the controller: the template set back from a Deployment, a fast
/// rollback within `spec.rollbackWindow`, and the refusals.
@Suite("undo", .serialized, .timeLimit(.minutes(3)))
struct UndoCommandTests {
    @Test func undoGoesBackFastWithinTheWindowAndRevertsAReleaseInFlight() async throws {
        try await CLICluster.with { cluster in
            try await cluster.createRollout("web", strategy: #"{"canary": {"steps": [{"weight": 50, "pause": "1s"}]}}"#)
            _ = try await cluster.client.patch(
                Rollout.self, name: "web", namespace: CLICluster.namespace, patch: .merge(["spec": ["rollbackWindow": ["revisions": 2]]]))
            let first = try await cluster.waitFor("web", "web:1 serving") { $0.status?.phase == .healthy }
            let one = try #require(first.status?.activeRevision)
            let template = first.spec.template
            try await cluster.release("web", image: "example/web:2")
            let second = try await cluster.waitFor("web", "web:2 serving") { $0.status?.phase == .healthy && $0.status?.activeRevision != one }
            let two = try #require(second.status?.activeRevision)

            // Back to the previous revision: its template exactly, a fast rollback.
            var (context, console) = cluster.context()
            let undone = try await UndoCommand.run(name: "web", toRevision: nil, context: context)
            #expect(undone.revision == one && undone.withinWindow)
            #expect(console.output.hasPrefix("rollout.cutover.dev/web rolled back to \(one)\nNext: a fast rollback"), "\(console.output)")
            #expect(try await cluster.rollout("web").spec.template == template)
            let back = try await cluster.waitFor("web", "web:1 serving again") { $0.status?.phase == .healthy && $0.status?.activeRevision == one }
            let record = try #require(back.status?.history?.last)
            #expect(record.revision == one && record.rollback == true && record.outcome == .promoted && record.startedBy == CLIContext.fieldManager)
            #expect(!record.timeline.contains { $0.type == .stepReached }, "no canary step: \(record.timeline.map(\.message))")

            // Forward again by a prefix; then the same revision once more is skipped.
            (context, console) = cluster.context()
            #expect(try await UndoCommand.run(name: "web", toRevision: String(two.prefix(4)), context: context).revision == two)
            _ = try await cluster.waitFor("web", "web:2 serving again") { $0.status?.phase == .healthy && $0.status?.activeRevision == two }
            (context, console) = cluster.context()
            try await UndoCommand.run(name: "web", toRevision: two, context: context)
            #expect(console.output == "rollout.cutover.dev/web skipped undo: the template is already \(two)\n")

            // A release in flight: undo sets the template back to blue, which reverts it.
            try await cluster.release("web", image: "example/web:3", podAnnotations: CLICluster.neverReady)
            _ = try await cluster.waitFor("web", "web:3 in flight") { $0.status?.greenRevision != nil && $0.status?.greenRevision != two }
            (context, console) = cluster.context()
            #expect(try await UndoCommand.run(name: "web", toRevision: nil, context: context).revision == two)
            #expect(console.output.contains("Next: the release in flight reverts to \(two) at once"), "\(console.output)")
            _ = try await cluster.waitFor("web", "web:2 serving, web:3 reverted") {
                $0.status?.phase == .healthy && $0.status?.activeRevision == two && $0.status?.greenRevision == nil
            }

            // Refusals name what exists.
            (context, console) = cluster.context()
            await #expect(throws: CLIError.self) { try await UndoCommand.run(name: "web", toRevision: "zzzz", context: context) }
            do {
                try await UndoCommand.run(name: "web", toRevision: "zzzz", context: context)
            } catch let error as CLIError {
                #expect(error.description.hasPrefix("error: no revision zzzz among the Deployments kept ("), "\(error)")
            }
        }
    }
}
