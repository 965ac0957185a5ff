import Cutover
import CutoverCLI
import Foundation
import KubeAPI
import KubeModels
import SimulatorHarness
import Testing

/// `kubectl cutover get group`: the group → members → revisions tree, from fixed statuses written
/// through the status subresource (no controller), checked against golden text.
@Suite("get group: a ReleaseGroup's members and revisions", .serialized, .timeLimit(.minutes(3)))
struct GroupGetTests {
    static func tree(_ name: String, cluster: CLICluster) async throws -> String {
        let (context, console) = cluster.context()
        try await GetCommand.run(group: name, watch: false, format: .tree, context: context)
        #expect(console.errors.isEmpty, "\(console.errors)")
        return console.output
    }

    @Test func theTreesOfAGroupInFlightAndOfARevertedOneMatchTheirGoldenFiles() async throws {
        try await CLICluster.withGroups { cluster in
            try expectGolden(try await Self.tree("shop", cluster: cluster), "get-group-canary")
            try expectGolden(try await Self.tree("checkout", cluster: cluster), "get-group-rolledback")

            try await cluster.updateGroupStatus("shop") { $0 = GroupFixtures.shopStatus(.holdWindow, generation: 1) }
            let hold = try await Self.tree("shop", cluster: cluster)
            #expect(hold.contains("Release:  \(GroupFixtures.shopRelease) started 2026-11-22T04:00:00Z: 3 members in 2 waves; held at Completion, cutover approved, 2/2 waves cut over, blue held until 2026-11-22T04:10:00Z\n"), "\(hold)")
        }
    }

    @Test func jsonCarriesTheSameView() async throws {
        try await CLICluster.withGroups { cluster in
            let (context, console) = cluster.context()
            try await GetCommand.run(group: "shop", watch: false, format: .json, context: context)
            let view = try JSONDecoder().decode(ReleaseGroupView.self, from: Data(console.output.utf8))
            #expect(view.phase == "Canary" && view.approval == "Manual" && view.ready == "2/3")
            #expect(view.release?.barrier == "Step" && view.release?.step == 1 && view.release?.waves == 2)
            #expect(view.members.map(\.name) == ["db-proxy", "inventory", "payment", "frontend", "legacy", "search"])
            let payment = try #require(view.members.first { $0.name == "payment" })
            #expect(payment.wave == 2 && payment.waitingAt == "Step" && payment.waitingStep == 1 && payment.weight == 50)
            #expect(payment.revisions.map { "\($0.revision) \($0.role)" } == ["\(GroupFixtures.payGreen) green", "\(GroupFixtures.payBlue) blue"])
            let legacy = try #require(view.members.first { $0.name == "legacy" })
            #expect(!legacy.found && legacy.listed && legacy.revisions.map(\.revision) == [GroupFixtures.legacy])
            let search = try #require(view.members.first { $0.name == "search" })
            #expect(search.found && !search.listed && !search.inRelease)
        }
    }

    /// --watch follows the group and its members: a change of either draws a new tree.
    @Test func watchRedrawsWhenTheGroupOrAMemberChanges() async throws {
        try await CLICluster.withGroups { cluster in
            let (context, console) = cluster.context()
            let watching = Task { try await GetCommand.run(group: "shop", watch: true, format: .tree, context: context) }
            try await eventually(within: 10, "the first tree") { console.output.contains("ReleaseGroup default/shop  Canary") }

            var inventory = GroupFixtures.member("shop", blue: GroupFixtures.invBlue, green: GroupFixtures.invGreen, weight: 20, waitingAt: .step)
            inventory.currentStepIndex = 0
            try await cluster.writeStatus("inventory", inventory)
            try await eventually(within: 10, "inventory waiting at the barrier") {
                console.output.contains(#/Member inventory +Canary +wave 2/2 +waiting at Step 1\n/#)
            }
            try await cluster.updateGroupStatus("shop") { $0 = GroupFixtures.shopStatus(.awaitingApproval, generation: 1) }
            try await eventually(within: 10, "the group at the approval") { console.output.contains("ReleaseGroup default/shop  AwaitingApproval") }
            watching.cancel()
            _ = await watching.result
            #expect(console.output.contains("Waiting:  every member waits at Cutover; run `kubectl cutover promote group shop` (or abort)\n"))
            #expect(console.output.contains("\n\nReleaseGroup default/shop  "), "frames separated by a blank line: \(console.output)")
        }
    }

    @Test func aMissingGroupIsReportedAsKubectlDoes() async throws {
        try await CLICluster.with(controller: false) { cluster in
            let (context, _) = cluster.context()
            do {
                try await GetCommand.run(group: "nope", watch: false, format: .tree, context: context)
                Issue.record("expected NotFound")
            } catch {
                #expect(CLIError.message(for: error) == #"Error from server (NotFound): releasegroups.cutover.dev "nope" not found"#)
            }
        }
    }
}
