import Cutover
import CutoverCLI
import Foundation
import KubeAPI
import KubeModels
import SimulatorHarness
import Testing

/// `kubectl cutover report`, `history` from the release record and the gate line of `get`: Rollouts
/// with a fixed `status` written through the status subresource of a KubeSim (no controller), so
/// every byte of the output is the same on every run.
@Suite("report: the release record as a deployment report", .serialized, .timeLimit(.minutes(3)))
struct ReportCommandTests {
    /// `web` (four releases, the newest reverted by its preCutover hook) and `api` (a promoted
    /// release with its hooks), with their statuses written as the controller writes them.
    static func withRecords(_ body: (CLICluster) async throws -> Void) async throws {
        try await CLICluster.with(controller: false) { cluster in
            for (name, status) in [("web", ReportFixtures.webStatus), ("api", ReportFixtures.apiStatus)] {
                try await cluster.createRollout(name)
                var rollout = try await cluster.rollout(name)
                rollout.status = status(rollout.metadata.generation ?? 1)
                _ = try await cluster.client.replaceStatus(rollout)
            }
            try await body(cluster)
        }
    }

    static func report(
        _ name: String, revision: String? = nil, format: ReportFormat = .markdown, cluster: CLICluster
    ) async throws -> CapturedConsole {
        let (context, console) = cluster.context()
        try await ReportCommand.run(name: name, revision: revision, format: format, context: context)
        #expect(console.errors.isEmpty, "\(console.errors)")
        return console
    }

    @Test func markdownReportsOfAPromotedAndTwoRevertedReleasesMatchTheirGoldenFiles() async throws {
        try await Self.withRecords { cluster in
            try expectGolden(try await Self.report("api", cluster: cluster).output, "report-promoted-markdown")
            try expectGolden(
                try await Self.report("web", revision: ReportFixtures.breached, cluster: cluster).output, "report-reverted-breach-markdown")
            try expectGolden(try await Self.report("web", cluster: cluster).output, "report-reverted-hook-markdown")
        }
    }

    @Test func jsonReportsAreTheRecordWithRolloutNamespaceAndHooks() async throws {
        try await Self.withRecords { cluster in
            let promoted = try await Self.report("api", format: .json, cluster: cluster).output
            try expectGolden(promoted, "report-promoted-json")
            let reverted = try await Self.report("web", format: .json, cluster: cluster).output
            try expectGolden(reverted, "report-reverted-hook-json")

            // The same names and values as status.history: it decodes back to the record.
            let decoded = try JSONDecoder().decode(ReleaseReport.self, from: Data(reverted.utf8))
            #expect(decoded.record == ReportFixtures.hookFailedRelease)
            #expect(decoded.hooks == [ReportFixtures.failedHook])
            #expect(decoded.rollout == "web" && decoded.namespace == CLICluster.namespace)
        }
    }

    @Test func revisionPicksAnOlderRelease() async throws {
        try await Self.withRecords { cluster in
            let output = try await Self.report("web", revision: ReportFixtures.promoted, cluster: cluster).output
            #expect(output.hasPrefix("# Release \(ReportFixtures.promoted) of default/web\n"), "\(output)")
            #expect(output.contains("| Outcome | Promoted |"), "\(output)")
            #expect(output.contains("| Started by | argocd-controller |"), "\(output)")
            // Its hooks went when the next release started: the report says so rather than guessing.
            #expect(output.contains("- **Gate hooks:** none called in this release."), "\(output)")

            let first = try await Self.report("web", revision: ReportFixtures.first, format: .json, cluster: cluster).output
            let report = try JSONDecoder().decode(ReleaseReport.self, from: Data(first.utf8))
            #expect(report.record == ReportFixtures.firstRelease && report.hooks.isEmpty)
        }
    }

    @Test func anUnknownRevisionListsTheKnownOnesAndNoHistoryIsAnError() async throws {
        try await Self.withRecords { cluster in
            let (context, console) = cluster.context()
            do {
                try await ReportCommand.run(name: "web", revision: "nope", format: .markdown, context: context)
                Issue.record("an unknown revision must fail")
            } catch {
                let known = [ReportFixtures.hookFailed, ReportFixtures.breached, ReportFixtures.promoted, ReportFixtures.first]
                #expect(
                    CLIError.message(for: error)
                        == "error: rollout web has no release of revision \"nope\"; known revisions (newest first): \(known.joined(separator: ", "))")
            }

            try await cluster.createRollout("fresh")
            do {
                try await ReportCommand.run(name: "fresh", revision: nil, format: .json, context: context)
                Issue.record("a Rollout without status.history must fail")
            } catch {
                #expect(CLIError.message(for: error).hasPrefix("error: rollout fresh has no release record yet (status.history is empty)"))
            }

            do {
                try await ReportCommand.run(name: "missing", revision: nil, format: .markdown, context: context)
                Issue.record("a missing Rollout must fail")
            } catch {
                #expect(CLIError.message(for: error) == #"Error from server (NotFound): rollouts.cutover.dev "missing" not found"#)
            }
            #expect(console.output.isEmpty, "nothing printed on errors: \(console.output)")
            #expect(throws: CLIError.self) { try ReportFormat(flag: "html") }
        }
    }

    @Test func historyUsesTheReleaseRecord() async throws {
        try await Self.withRecords { cluster in
            let (context, console) = cluster.context()
            try await HistoryCommand.run(name: "web", context: context)
            try expectGolden(console.output, "history-records")
        }
    }

    @Test func getShowsTheFailedGateOfTheRevertedRevision() async throws {
        try await Self.withRecords { cluster in
            let (context, console) = cluster.context()
            try await GetCommand.run(name: "web", watch: false, format: .tree, context: context)
            #expect(
                console.output.contains("── Gate preCutover: Failed (3 attempts): HTTP 500: smoke test /checkout | expected 200, got 502 see https://ci.example.com/runs/42\n"),
                "\(console.output)")
        }
    }

    /// The built binary through the real kubectl: the flags, the same text, exit codes.
    @Test func theReportThroughKubectl() async throws {
        try await Self.withRecords { cluster in
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cutover-report-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let kubeconfig = try cluster.writeKubeconfig(in: directory)

            let markdown = try await PluginProcessTests.run(
                ["kubectl", "cutover", "report", "web", "--revision", ReportFixtures.breached, "-n", "default"], kubeconfig: kubeconfig)
            #expect(markdown.status == 0, "\(markdown.err)")
            try expectGolden(markdown.out, "report-reverted-breach-markdown")

            let json = try await PluginProcessTests.run(["kubectl", "cutover", "report", "api", "--format", "json"], kubeconfig: kubeconfig)
            #expect(json.status == 0, "\(json.err)")
            try expectGolden(json.out, "report-promoted-json")

            let unknown = try await PluginProcessTests.run(["kubectl", "cutover", "report", "web", "--revision", "nope"], kubeconfig: kubeconfig)
            #expect(unknown.status == 1 && unknown.out.isEmpty)
            #expect(unknown.err.hasPrefix("error: rollout web has no release of revision \"nope\"; known revisions (newest first): "), "\(unknown.err)")

            let badFormat = try await PluginProcessTests.run(["kubectl", "cutover", "report", "web", "--format", "html"], kubeconfig: kubeconfig)
            #expect(badFormat.status == 64, "a bad flag is a usage error: \(badFormat.err)")
            #expect(badFormat.err.contains("allowed formats are: markdown,json"), "\(badFormat.err)")
        }
    }
}
