import Cutover
import CutoverCLI
import Foundation
import KubeAPI
import KubeModels
import SimulatorHarness
import Testing

/// `kubectl cutover report group`: a group release from the ReleaseGroup's `status.history`, with
/// its members from `status.release` and the cause from `status.abort`, from fixed statuses written
/// through the status subresource (no controller), compared whole with golden files.
@Suite("report group: a group release as a deployment report", .serialized, .timeLimit(.minutes(3)))
struct GroupReportTests {
    static func report(
        _ name: String, revision: String? = nil, format: ReportFormat = .markdown, cluster: CLICluster
    ) async throws -> String {
        let (context, console) = cluster.context()
        try await ReportCommand.run(group: name, revision: revision, format: format, context: context)
        #expect(console.errors.isEmpty, "\(console.errors)")
        return console.output
    }

    @Test func theRevertedReleaseAsMarkdownAndJSONMatchesItsGoldenFiles() async throws {
        try await CLICluster.withGroups { cluster in
            try expectGolden(try await Self.report("checkout", cluster: cluster), "report-group-reverted-markdown")
            let json = try await Self.report("checkout", format: .json, cluster: cluster)
            try expectGolden(json, "report-group-reverted-json")

            // The same names and values as the status: it decodes back to the record, members and cause.
            let decoded = try JSONDecoder().decode(GroupReleaseReport.self, from: Data(json.utf8))
            #expect(decoded.record == GroupFixtures.revertedRecord)
            #expect(decoded.members == GroupFixtures.checkoutStatus(generation: 1).release?.members)
            #expect(decoded.abort == GroupFixtures.checkoutAbort)
            #expect(decoded.releaseGroup == "checkout" && decoded.namespace == CLICluster.namespace)
        }
    }

    @Test func anOlderReleaseNamesItsMembersFromTheRecord() async throws {
        try await CLICluster.withGroups { cluster in
            let output = try await Self.report("checkout", revision: GroupFixtures.promotedRelease, cluster: cluster)
            try expectGolden(output, "report-group-promoted-markdown")
            let json = try await Self.report("checkout", revision: GroupFixtures.promotedRelease, format: .json, cluster: cluster)
            let report = try JSONDecoder().decode(GroupReleaseReport.self, from: Data(json.utf8))
            #expect(report.members.isEmpty && report.abort == nil, "status.release and status.abort belong to the newest release")
        }
    }

    @Test func aReleaseInFlightHasItsMembersAndNoOutcome() async throws {
        try await CLICluster.withGroups { cluster in
            let output = try await Self.report("shop", cluster: cluster)
            #expect(output.hasPrefix("# Group release \(GroupFixtures.shopRelease) of default/shop\n"), "\(output)")
            #expect(output.contains("| Outcome | in flight |"), "\(output)")
            #expect(output.contains("| db-proxy | `\(GroupFixtures.dbGreen)` | `\(GroupFixtures.dbBlue)` | 1/2 | - |\n"), "\(output)")
            #expect(output.contains("| payment | `\(GroupFixtures.payGreen)` | `\(GroupFixtures.payBlue)` | 2/2 | - |\n"), "\(output)")
            #expect(output.contains("- **Outcome:** none yet: the release is in flight.\n"), "\(output)")
            #expect(!output.contains("**Cause:**"), "\(output)")
        }
    }

    @Test func anUnknownRevisionNoHistoryAndAMissingGroupAreErrors() async throws {
        try await CLICluster.withGroups { cluster in
            try await cluster.createGroup("fresh")
            let (context, console) = cluster.context()
            let cases: [(String, String?, String)] = [
                ("checkout", "nope", "error: releasegroup checkout has no release of revision \"nope\"; known revisions (newest first): \(GroupFixtures.revertedRelease), \(GroupFixtures.promotedRelease)"),
                ("fresh", nil, "error: releasegroup fresh has no release record yet (status.history is empty): the controller adds one when a release starts"),
                ("missing", nil, #"Error from server (NotFound): releasegroups.cutover.dev "missing" not found"#),
            ]
            for (name, revision, message) in cases {
                do {
                    try await ReportCommand.run(group: name, revision: revision, format: .markdown, context: context)
                    Issue.record("report group \(name) must fail")
                } catch {
                    #expect(CLIError.message(for: error) == message)
                }
            }
            #expect(console.output.isEmpty, "nothing printed on errors: \(console.output)")
        }
    }
}
