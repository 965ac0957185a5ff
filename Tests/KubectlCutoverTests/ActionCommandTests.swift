import Cutover
import CutoverCLI
import Foundation
import KubeAPI
import KubeModels
import SimulatorHarness
import Testing

/// promote, abort, retry, pause, resume: the annotation written, what the controller then does,
/// and the refusals when an action makes no sense.
@Suite("actions: annotations the controller acts on", .serialized, .timeLimit(.minutes(3)))
struct ActionCommandTests {
    @Test func pauseResumeAbortRetryPromoteDriveARelease() async throws {
        try await CLICluster.with { cluster in
            try await cluster.createRollout("web", strategy: #"{"canary": {"steps": [{"weight": 50, "pause": "1h"}]}}"#)
            try await cluster.waitForPhase("web", .healthy)

            // Promote while Healthy: refused, nothing written.
            var (context, console) = cluster.context()
            await #expect(throws: CLIError.self) { try await ActionCommand.run(.promote, name: "web", context: context) }
            do {
                try await ActionCommand.run(.promote, name: "web", context: context)
            } catch {
                #expect(CLIError.message(for: error).hasPrefix("error: cannot promote rollout web: no release in flight (Healthy, serving "))
            }
            #expect(try await cluster.rollout("web").metadata.annotations?[CutoverLabels.promote] == nil)

            try await cluster.release("web", image: "example/web:2")
            try await cluster.waitFor("web", "a canary step started") { $0.status?.phase == .canary && $0.status?.stepStartedAt != nil }

            // Pause: the level-triggered annotation, mirrored in status.paused.
            (context, console) = cluster.context()
            let pause = try await ActionCommand.run(.pause, name: "web", context: context)
            #expect(pause.annotation == CutoverLabels.paused && pause.value == "true")
            #expect(console.output.contains("rollout.cutover.dev/web annotated (cutover.dev/paused=true)"), "\(console.output)")
            #expect(console.output.contains("Next: the release stays where it is (Canary)"), "\(console.output)")
            try await cluster.waitFor("web", "status.paused") { $0.status?.paused == true }
            await #expect(throws: CLIError.self) { try await ActionCommand.run(.pause, name: "web", context: context) }

            // Resume: the annotation is removed.
            (context, console) = cluster.context()
            try await ActionCommand.run(.resume, name: "web", context: context)
            #expect(try await cluster.rollout("web").metadata.annotations?[CutoverLabels.paused] == nil)
            try await cluster.waitFor("web", "not paused") { $0.status?.paused == false }

            // Abort: reverted to blue, reason Aborted.
            (context, console) = cluster.context()
            let abort = try await ActionCommand.run(.abort, name: "web", context: context)
            #expect(console.output.contains("Next: the active Service goes back to blue"), "\(console.output)")
            let aborted = try await cluster.waitFor("web", "rolled back by the abort") { $0.status?.phase == .rolledBack }
            #expect(aborted.status?.abort?.reason == "Aborted")
            #expect(aborted.status?.acknowledgedActions?.abort == abort.value)
            await #expect(throws: CLIError.self) { try await ActionCommand.run(.abort, name: "web", context: context) }

            // Retry: the rolled-back template is released again.
            (context, console) = cluster.context()
            try await ActionCommand.run(.retry, name: "web", context: context)
            #expect(console.output.contains("is released again from blue"), "\(console.output)")
            try await cluster.waitFor("web", "the retried release at its canary step") {
                $0.status?.phase == .canary && $0.status?.rolledBackRevision == nil && $0.status?.stepStartedAt != nil
            }

            // Promote: skips the hour-long pause; with no hold window green becomes the active revision.
            (context, console) = cluster.context()
            try await ActionCommand.run(.promote, name: "web", context: context)
            #expect(console.output.contains("skips the remaining canary steps and approval"), "\(console.output)")
            let promoted = try await cluster.waitFor("web", "promoted to Healthy") { $0.status?.phase == .healthy }
            #expect(promoted.status?.manualPromotion == "promote")
        }
    }

    @Test func promoteFullEndsAHoldWindowAndPlainPromoteIsRefusedThere() async throws {
        try await CLICluster.with { cluster in
            try await cluster.createRollout("web", strategy: #"{"holdWindow": "1h"}"#)
            try await cluster.waitForPhase("web", .healthy)
            try await cluster.release("web", image: "example/web:2")
            try await cluster.waitForPhase("web", .holdWindow)
            var (context, console) = cluster.context()
            do {
                try await ActionCommand.run(.promote, name: "web", context: context)
                Issue.record("promote in HoldWindow should be refused")
            } catch {
                #expect(CLIError.message(for: error).contains("already serves all traffic (HoldWindow); use --full"))
            }
            (context, console) = cluster.context()
            try await ActionCommand.run(.promoteFull, name: "web", context: context)
            #expect(console.output.contains("the hold window ends now"), "\(console.output)")
            try await cluster.waitForPhase("web", .healthy)
        }
    }

    /// The decisions themselves, phase by phase, without a server.
    @Test(arguments: [
        (RolloutAction.promote, RolloutPhase.healthy, false), (.promote, .canary, true), (.promote, .awaitingApproval, true),
        (.promote, .promoting, false), (.promote, .rolledBack, false), (.promoteFull, .holdWindow, true),
        (.abort, .healthy, false), (.abort, .canary, true), (.abort, .holdWindow, true), (.abort, .rolledBack, false),
        (.retry, .rolledBack, true), (.retry, .healthy, false), (.retry, .canary, false),
        (.pause, .canary, true), (.resume, .canary, false), (.promote, .invalidSpec, false),
    ])
    func decisions(action: RolloutAction, phase: RolloutPhase, allowed: Bool) throws {
        let rollout = Fixtures.rollout(phase: phase)
        do {
            let plan = try action.plan(for: rollout, token: "t1")
            #expect(allowed, "\(action) in \(phase) should be refused, got: \(plan.next)")
            #expect(!plan.next.isEmpty)
        } catch let error as CLIError {
            #expect(!allowed, "\(action) in \(phase) refused: \(error)")
            #expect(error.description.hasPrefix("error: cannot \(action.rawValue) rollout web: "))
        }
    }
}
