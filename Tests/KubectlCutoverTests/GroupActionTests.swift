import Cutover
import CutoverCLI
import Foundation
import KubeAPI
import KubeModels
import SimulatorHarness
import Testing

/// promote, abort, retry on a ReleaseGroup: the annotation written with a fresh token, what
/// happens next, and the refusals when the group has nothing to act on. The group's status is
/// written by the test, so no group controller is needed.
@Suite("group actions: annotations on the ReleaseGroup", .serialized, .timeLimit(.minutes(3)))
struct GroupActionTests {
    static func refusal(_ action: GroupAction, context: CLIContext) async -> String? {
        do {
            try await ActionCommand.run(action, group: "shop", context: context)
            return nil
        } catch {
            return CLIError.message(for: error)
        }
    }

    static func annotation(_ key: String, cluster: CLICluster) async throws -> String? {
        try await cluster.group("shop").metadata.annotations?[key]
    }

    @Test func eachActionActsOnlyWhenTheGroupHasSomethingForIt() async throws {
        try await CLICluster.with(controller: false) { cluster in
            try await cluster.createGroup(
                "shop", spec: GroupFixtures.shopSpec, status: { GroupFixtures.shopStatus(generation: $0) }, members: GroupFixtures.shopMembers)

            // At canary step 1: promote and retry refused, nothing written.
            var (context, console) = cluster.context()
            #expect(await Self.refusal(.promote, context: context) == "error: cannot promote releasegroup shop: not every member has reached the cutover yet (Canary, canary step 1/2); promote approves the cutover once every member waits at Cutover (AwaitingApproval); it skips no canary step")
            #expect(await Self.refusal(.retry, context: context) == "error: cannot retry releasegroup shop: nothing was rolled back (Canary); retry releases a RolledBack group release again")
            #expect(try await Self.annotation(CutoverLabels.promote, cluster: cluster) == nil)
            #expect(try await Self.annotation(CutoverLabels.retry, cluster: cluster) == nil)
            #expect(console.output.isEmpty)

            // Abort: accepted while a release is in flight.
            let abort = try await ActionCommand.run(.abort, group: "shop", context: context)
            #expect(try await Self.annotation(CutoverLabels.abort, cluster: cluster) == abort.value)
            let lines = console.output.split(separator: "\n").map(String.init)
            #expect(lines.first == "releasegroup.cutover.dev/shop annotated (cutover.dev/abort=\(abort.value ?? "-"))", "\(lines)")
            #expect(lines.last == "Next: every changed member's active Service goes back to its blue in one reconcile (db-proxy → \(GroupFixtures.dbBlue), inventory → \(GroupFixtures.invBlue), payment → \(GroupFixtures.payBlue)), the greens scale to 0 and the group becomes RolledBack (reason Aborted). These revisions are not released again until a member's template changes or `kubectl cutover retry group shop`.", "\(lines)")

            // At the approval: promote switches the waves in order.
            try await cluster.updateGroupStatus("shop") { $0 = GroupFixtures.shopStatus(.awaitingApproval, generation: 1) }
            (context, console) = cluster.context()
            let promote = try await ActionCommand.run(.promote, group: "shop", context: context)
            #expect(try await Self.annotation(CutoverLabels.promote, cluster: cluster) == promote.value)
            #expect(promote.next == "the group switches the active Services to green wave by wave (wave 1: db-proxy; then wave 2: inventory, payment), each wave once the one before serves green; once the longest member hold window is over, every blue scales to 0. Analysis keeps running: a breach in any member still reverts every member.")
            try await cluster.updateGroupStatus("shop") { $0.release?.approved = true }
            #expect(await Self.refusal(.promote, context: context) == "error: cannot promote releasegroup shop: the cutover is already approved; the group switches the active Services wave by wave")

            // Rolled back: retry releases the same revisions; abort and promote refused.
            try await cluster.updateGroupStatus("shop") { status in
                status.phase = .rolledBack
                status.release?.outcome = .rolledBack
            }
            (context, console) = cluster.context()
            #expect(await Self.refusal(.abort, context: context) == "error: cannot abort releasegroup shop: no group release in flight (RolledBack)")
            #expect(await Self.refusal(.promote, context: context) == "error: cannot promote releasegroup shop: the last group release was rolled back; use `kubectl cutover retry group shop` to release it again")
            let retry = try await ActionCommand.run(.retry, group: "shop", context: context)
            #expect(console.output.contains("Next: the group releases the same revisions again (db-proxy \(GroupFixtures.dbGreen), inventory \(GroupFixtures.invGreen), payment \(GroupFixtures.payGreen)) from their blues"), "\(console.output)")
            let again = try await ActionCommand.run(.retry, group: "shop", context: context)
            #expect(again.value != retry.value, "every retry writes a fresh token")
            #expect(try await Self.annotation(CutoverLabels.retry, cluster: cluster) == again.value)
        }
    }

    @Test func aGroupWithoutStatusOrMissingIsRefused() async throws {
        try await CLICluster.with(controller: false) { cluster in
            try await cluster.createGroup("shop")
            let (context, _) = cluster.context()
            #expect(await Self.refusal(.abort, context: context) == "error: releasegroup shop has no status yet: no controller has acted on it (is cutover-controller running?)")
            do {
                try await ActionCommand.run(.promote, group: "nope", context: context)
                Issue.record("expected NotFound")
            } catch {
                #expect(CLIError.message(for: error) == #"Error from server (NotFound): releasegroups.cutover.dev "nope" not found"#)
            }
        }
    }

    /// The decisions themselves, phase by phase, without a server.
    @Test(arguments: [
        (GroupAction.promote, ReleaseGroupPhase.awaitingApproval, true), (.promote, .healthy, false), (.promote, .progressing, false),
        (.promote, .canary, false), (.promote, .cuttingOver, false), (.promote, .holdWindow, false), (.promote, .rolledBack, false),
        (.promote, .invalidSpec, false),
        (.abort, .progressing, true), (.abort, .canary, true), (.abort, .awaitingApproval, true), (.abort, .cuttingOver, true),
        (.abort, .holdWindow, true), (.abort, .healthy, false), (.abort, .rolledBack, false), (.abort, .invalidSpec, false),
        (.retry, .rolledBack, true), (.retry, .healthy, false), (.retry, .canary, false), (.retry, .holdWindow, false),
    ])
    func decisions(action: GroupAction, phase: ReleaseGroupPhase, allowed: Bool) throws {
        var meta = ObjectMeta(name: "shop", namespace: "prod")
        meta.generation = 1
        let group = ReleaseGroup(metadata: meta, spec: GroupFixtures.shopSpec, status: GroupFixtures.shopStatus(phase, generation: 1))
        do {
            let plan = try action.plan(for: group, token: "t1")
            #expect(allowed, "\(action) in \(phase) should be refused, got: \(plan.next)")
            #expect(plan.value == "t1" && plan.annotation == "cutover.dev/\(action.rawValue)" && !plan.next.isEmpty)
        } catch let error as CLIError {
            #expect(!allowed, "\(action) in \(phase) refused: \(error)")
            #expect(error.description.hasPrefix("error: cannot \(action.rawValue) releasegroup shop: "))
        }
    }
}
