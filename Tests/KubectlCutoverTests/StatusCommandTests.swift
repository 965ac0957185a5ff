import Cutover
import CutoverCLI
import Foundation
import KubeAPI
import KubeModels
import SimulatorHarness
import Testing

/// `kubectl cutover status`: a line per change and the exit code of every outcome, against KubeSim
/// with the controller running in-process.
@Suite("status: exit codes for every outcome", .serialized, .timeLimit(.minutes(3)))
struct StatusCommandTests {
    @Test func healthyThenRolledBackThenTimeoutThenAwaitingApproval() async throws {
        try await CLICluster.with { cluster in
            try await cluster.createRollout("web", strategy: #"{"approval": "Manual"}"#, progressDeadlineSeconds: 3)

            // Healthy: the first revision comes up; --watch ends with exit 0.
            var (context, console) = cluster.context()
            var outcome = try await StatusCommand.run(name: "web", watch: true, timeout: 60, context: context)
            #expect(outcome == .healthy && outcome.exitCode == 0, "\(console.output)")
            #expect(console.output.split(separator: "\n").last?.hasPrefix("Healthy — serving ") == true, "\(console.output)")

            // RolledBack: green never becomes ready, the 3s deadline reverts it; exit 1 with the reason.
            try await cluster.release("web", image: "example/web:2", podAnnotations: CLICluster.neverReady)
            (context, console) = cluster.context()
            outcome = try await StatusCommand.run(name: "web", watch: true, timeout: 60, context: context)
            #expect(outcome == .failed && outcome.exitCode == 1, "\(console.output)")
            #expect(console.output.contains("Progressing — "), "one line per change: \(console.output)")
            #expect(console.output.contains("RolledBack — ProgressDeadlineExceeded: green was not ready within 3s"), "\(console.output)")
            #expect(console.errors.contains("error: rollout web did not complete"), "\(console.errors)")

            // Timeout: a release whose green never becomes ready with a long deadline; exit 3.
            let rollout = try await cluster.rollout("web")
            _ = try await cluster.client.patch(
                Rollout.self, name: "web", namespace: CLICluster.namespace,
                patch: .merge(["spec": ["progressDeadlineSeconds": 600, "template": ["spec": ["containers": [["name": "app", "image": "example/web:3"]]]]]]))
            #expect(rollout.metadata.generation != nil)
            try await cluster.waitForPhase("web", .progressing)
            (context, console) = cluster.context()
            outcome = try await StatusCommand.run(name: "web", watch: true, timeout: 1, context: context)
            #expect(outcome == .timedOut && outcome.exitCode == 3, "\(console.output)")
            #expect(console.errors.contains("error: timed out after 1s waiting for rollout web: Progressing"), "\(console.errors)")
            // Without --watch an in-flight release is "not finished in the time given" at once.
            (context, console) = cluster.context()
            #expect(try await StatusCommand.run(name: "web", watch: false, timeout: nil, context: context) == .timedOut)

            // AwaitingApproval: Manual approval stops after green is ready; exit 2 names the promote command.
            try await cluster.release("web", image: "example/web:4")
            (context, console) = cluster.context()
            outcome = try await StatusCommand.run(name: "web", watch: true, timeout: 60, context: context)
            #expect(outcome == .awaitingApproval && outcome.exitCode == 2, "\(console.output)")
            #expect(console.output.contains("AwaitingApproval — ManualApproval: promote with `kubectl cutover promote web`"), "\(console.output)")
            #expect(console.errors.contains("kubectl cutover promote web -n default"), "\(console.errors)")
            #expect(!console.output.contains("\u{1B}"), "no escape codes when not a terminal")
        }
    }

    @Test func invalidSpecExitsOneNamingTheField() async throws {
        try await CLICluster.with { cluster in
            try await cluster.createRollout("bad", strategy: #"{"canary": {"steps": [{"weight": 50}, {"weight": 20}]}}"#)
            let (context, console) = cluster.context()
            let outcome = try await StatusCommand.run(name: "bad", watch: true, timeout: 60, context: context)
            #expect(outcome == .failed && outcome.exitCode == 1)
            #expect(console.output.contains("InvalidSpec — spec.strategy.canary.steps[1].weight"), "\(console.output)")
        }
    }

    /// With no controller: an old status is not an outcome, and the user is told the controller may be down.
    @Test func aStatusForAnOlderGenerationIsNotAnOutcomeAndWarns() async throws {
        try await CLICluster.with(controller: false) { cluster in
            try await cluster.createRollout("web")
            var (context, console) = cluster.context(staleAfter: 0)
            #expect(try await StatusCommand.run(name: "web", watch: false, timeout: nil, context: context) == .timedOut)
            #expect(console.output == "Pending — no controller has written a status yet\n")
            #expect(console.errors.contains("Warning: no controller has acted on rollout web for"), "\(console.errors)")
            #expect(console.errors.contains("(it has no status): is cutover-controller running?"), "\(console.errors)")

            // A Healthy status of generation 1, then a new template (generation 2): still not an outcome.
            var rollout = try await cluster.rollout("web")
            var status = RolloutStatus()
            status.phase = .healthy
            status.observedGeneration = rollout.metadata.generation
            status.activeRevision = "old1"
            rollout.status = status
            _ = try await cluster.client.replaceStatus(rollout)
            try await cluster.release("web", image: "example/web:2")
            (context, console) = cluster.context(staleAfter: 0)
            let outcome = try await StatusCommand.run(name: "web", watch: true, timeout: 1, context: context)
            #expect(outcome == .timedOut, "\(console.output)")
            #expect(console.output.contains("Healthy — the controller has not acted on generation 2 yet (observed 1)"), "\(console.output)")
            #expect(console.errors.contains("status.observedGeneration 1 < metadata.generation 2"), "\(console.errors)")
        }
    }

    @Test func aMissingRolloutIsReportedAsKubectlDoes() async throws {
        try await CLICluster.with(controller: false) { cluster in
            let (context, _) = cluster.context()
            do {
                _ = try await StatusCommand.run(name: "nope", watch: true, timeout: 5, context: context)
                Issue.record("expected NotFound")
            } catch {
                #expect(CLIError.message(for: error) == #"Error from server (NotFound): rollouts.cutover.dev "nope" not found"#)
            }
        }
    }
}
