import Cutover
import CutoverCLI
import Foundation
import KubeAPI
import KubeModels
import SimulatorHarness
import Testing

/// `kubectl cutover status group`: a line per change and the exit code of every outcome, with the
/// group's and the members' statuses written by the test as the controllers would write them.
@Suite("status group: exit codes for every outcome", .serialized, .timeLimit(.minutes(3)))
struct GroupStatusTests {
    /// `shop` at canary step 1, with its members.
    static func withShop(_ body: (CLICluster) async throws -> Void) async throws {
        try await CLICluster.with(controller: false) { cluster in
            try await cluster.createGroup(
                "shop", spec: GroupFixtures.shopSpec, status: { GroupFixtures.shopStatus(generation: $0) }, members: GroupFixtures.shopMembers)
            try await body(cluster)
        }
    }

    /// Runs `status group shop --watch` while `change` writes statuses (it gets the command's
    /// output so far); returns its outcome and output.
    static func watch(
        _ cluster: CLICluster, timeout: Double = 30, while change: (CapturedConsole) async throws -> Void
    ) async throws -> (ReleaseOutcome, CapturedConsole) {
        let (context, console) = cluster.context()
        let watching = Task { try await StatusCommand.run(group: "shop", watch: true, timeout: timeout, context: context) }
        try await change(console)
        return (try await watching.value, console)
    }

    /// Every member of the release serves green: Healthy at its new revision.
    static func membersPromoted(_ cluster: CLICluster) async throws {
        for (name, green) in [("db-proxy", GroupFixtures.dbGreen), ("inventory", GroupFixtures.invGreen), ("payment", GroupFixtures.payGreen)] {
            try await cluster.writeStatus(name, GroupFixtures.member("shop", blue: green))
        }
    }

    @Test func inFlightThenTimeoutThenApprovalThenCompleted() async throws {
        try await Self.withShop { cluster in
            // Without --watch a release in flight is "not finished in the time given": exit 3 at once.
            var (context, console) = cluster.context()
            var outcome = try await StatusCommand.run(group: "shop", watch: false, timeout: nil, context: context)
            #expect(outcome == .timedOut && outcome.exitCode == 3)
            #expect(console.output == "Canary (canary step 1/2) — waiting for 1 member to pass step 1; 2/3 ready\n")

            (context, console) = cluster.context()
            outcome = try await StatusCommand.run(group: "shop", watch: true, timeout: 1, context: context)
            #expect(outcome == .timedOut)
            #expect(console.errors.contains("error: timed out after 1s waiting for releasegroup shop: Canary (canary step 1/2)"), "\(console.errors)")

            // AwaitingApproval: exit 2, naming the group's promote.
            (outcome, console) = try await Self.watch(cluster) { _ in
                try await cluster.updateGroupStatus("shop") { $0 = GroupFixtures.shopStatus(.awaitingApproval, generation: 1) }
            }
            #expect(outcome == .awaitingApproval && outcome.exitCode == 2, "\(console.output)")
            #expect(console.output.hasSuffix(
                "AwaitingApproval — every member waits at Cutover: promote with `kubectl cutover promote group shop`\n"),
                "\(console.output)")
            #expect(console.errors == "releasegroup shop is waiting for approval: kubectl cutover promote group shop -n default\n")

            // Completed while the members still move is not an outcome; once they serve green it is: exit 0.
            try await cluster.updateGroupStatus("shop") { $0 = GroupFixtures.shopStatus(.holdWindow, generation: 1) }
            (outcome, console) = try await Self.watch(cluster) { console in
                try await cluster.updateGroupStatus("shop") { status in
                    status.phase = .healthy
                    status.step = nil
                    status.message = "every member serves its release"
                    status.release?.barrier = nil
                    status.release?.outcome = .promoted
                    status.conditions = [Condition(type: "Completed", status: "True", reason: "Promoted")]
                }
                try await eventually(within: 10, "the line waiting for the members") {
                    console.output.contains("Healthy — every member serves its release; 3/3 ready; waiting for members still moving: db-proxy Canary, inventory Canary, payment Canary\n")
                }
                try await Self.membersPromoted(cluster)
            }
            #expect(outcome == .healthy && outcome.exitCode == 0, "\(console.output)")
            #expect(console.output.hasPrefix("HoldWindow (hold until 2026-11-22T04:10:00Z) — every member serves green; blue held; 3/3 ready\n"), "\(console.output)")
            #expect(console.output.hasSuffix("\nHealthy — every member serves its release; 3/3 ready\n"), "\(console.output)")
            #expect(console.errors.isEmpty, "\(console.errors)")
        }
    }

    @Test func rolledBackExitsOneNamingTheMemberThatCausedIt() async throws {
        try await Self.withShop { cluster in
            let (outcome, console) = try await Self.watch(cluster) { _ in
                try await cluster.updateGroupStatus("shop") { status in
                    status.phase = .rolledBack
                    status.message = "rolled back"
                    status.release?.barrier = nil
                    status.release?.outcome = .rolledBack
                    status.abort = AbortStatus(
                        reason: "AnalysisBreach", member: "payment", revision: GroupFixtures.payGreen, metric: "error-rate", value: 0.2418,
                        limit: 0.05, message: "error-rate 0.2418 > max 0.05", at: GroupFixtures.at(3615))
                    status.conditions = [Condition(type: "RolledBack", status: "True", reason: "AnalysisBreach")]
                }
                for (name, blue, green) in [
                    ("db-proxy", GroupFixtures.dbBlue, GroupFixtures.dbGreen), ("inventory", GroupFixtures.invBlue, GroupFixtures.invGreen),
                    ("payment", GroupFixtures.payBlue, GroupFixtures.payGreen),
                ] {
                    try await cluster.writeStatus(name, GroupFixtures.reverted(blue: blue, green: green))
                }
            }
            #expect(outcome == .failed && outcome.exitCode == 1, "\(console.output)")
            let line = "RolledBack — AnalysisBreach: error-rate 0.2418 > max 0.05 (member payment, metric error-rate, value 0.2418, limit 0.05); reverted \(GroupFixtures.payGreen)"
            #expect(console.output.hasSuffix(line + "\n"), "\(console.output)")
            #expect(console.errors == "error: releasegroup shop did not complete: \(line)\n")
        }
    }

    /// A spec the controller has not acted on yet is no outcome, and warns that it may be down.
    @Test func aStatusForAnOlderGenerationIsNotAnOutcomeAndInvalidSpecIs() async throws {
        try await CLICluster.with(controller: false) { cluster in
            try await cluster.createGroup("shop")
            var (context, console) = cluster.context(staleAfter: 0)
            var outcome = try await StatusCommand.run(group: "shop", watch: false, timeout: nil, context: context)
            #expect(outcome == .timedOut)
            #expect(console.output == "Pending — no controller has written a status yet\n")
            #expect(console.errors.contains("Warning: no controller has acted on releasegroup shop for"), "\(console.errors)")

            try await cluster.updateGroupStatus("shop") { status in
                status.phase = .healthy
                status.observedGeneration = 1
                status.conditions = [Condition(type: "Completed", status: "True")]
            }
            _ = try await cluster.client.patch(
                ReleaseGroup.self, name: "shop", namespace: CLICluster.namespace, patch: .merge(["spec": ["approval": "Manual"]]))
            (context, console) = cluster.context()
            outcome = try await StatusCommand.run(group: "shop", watch: true, timeout: 1, context: context)
            #expect(outcome == .timedOut, "\(console.output)")
            #expect(console.output.hasPrefix("Healthy — the controller has not acted on generation 2 yet (observed 1)\n"), "\(console.output)")

            (context, console) = cluster.context()
            let watching = Task { try await StatusCommand.run(group: "shop", watch: true, timeout: 30, context: context) }
            try await cluster.updateGroupStatus("shop") { status in
                status.phase = .invalidSpec
                status.observedGeneration = 2
                status.message = "spec.waves[1][0]: payment is in two waves"
            }
            outcome = try await watching.value
            #expect(outcome == .failed, "\(console.output)")
            #expect(console.output.hasSuffix("InvalidSpec — spec.waves[1][0]: payment is in two waves\n"), "\(console.output)")
        }
    }

    /// The outcome rule itself, without a server: the group's phase and conditions, and whether a
    /// member still moves.
    @Test(arguments: [
        (ReleaseGroupPhase.healthy, "Completed", RolloutPhase.healthy, ReleaseOutcome?.some(.healthy)),
        (.healthy, "Completed", .progressing, nil), (.healthy, "", .healthy, nil), (.canary, "Completed", .healthy, nil),
        (.rolledBack, "RolledBack", .rolledBack, .failed), (.rolledBack, "", .holdWindow, nil), (.healthy, "RolledBack", .healthy, .failed), (.rolledBack, "Completed", .rolledBack, .failed),
        (.invalidSpec, "", .canary, .failed), (.awaitingApproval, "", .canary, .awaitingApproval), (.cuttingOver, "", .holdWindow, nil),
    ] as [(ReleaseGroupPhase, String, RolloutPhase, ReleaseOutcome?)])
    func outcomes(phase: ReleaseGroupPhase, condition: String, memberPhase: RolloutPhase, expected: ReleaseOutcome?) {
        var meta = ObjectMeta(name: "shop", namespace: "prod")
        meta.generation = 1
        var status = ReleaseGroupStatus()
        status.phase = phase
        status.observedGeneration = 1
        if !condition.isEmpty { status.conditions = [Condition(type: condition, status: "True")] }
        let snapshot = ObservedGroup(group: ReleaseGroup(metadata: meta, status: status), members: [Fixtures.rollout(phase: memberPhase)])
        #expect(ReleaseOutcome.of(snapshot) == expected)
        #expect(GroupStatusLine.line(for: snapshot).hasPrefix(phase.rawValue))

        status.release = GroupRelease(revision: "r1", startedAt: Fixtures.at, members: [])
        status.release?.approved = true
        let approved = ObservedGroup(group: ReleaseGroup(metadata: meta, status: status), members: [])
        if phase == .awaitingApproval { #expect(ReleaseOutcome.of(approved) == nil, "approved: the cutover follows") }
    }
}
