import Cutover
import CutoverCLI
import Foundation
import KubeAPI
import KubeModels
import SimulatorHarness
import Testing

/// `list` and `history` against KubeSim with the controller.
@Suite("list and history", .serialized, .timeLimit(.minutes(3)))
struct ListAndHistoryTests {
    @Test func listShowsPhaseWeightRevisionsAndAgeInOneOrAllNamespaces() async throws {
        try await CLICluster.with { cluster in
            _ = try await cluster.client.create(Namespace(metadata: ObjectMeta(name: "other")))
            try await cluster.createRollout("api")
            try await cluster.createRollout("web", strategy: #"{"canary": {"steps": [{"weight": 50, "pause": "1h"}]}}"#)
            try await cluster.waitForPhase("api", .healthy)
            try await cluster.waitForPhase("web", .healthy)
            try await cluster.release("web", image: "example/web:2")
            try await cluster.waitFor("web", "canary at 50%") { $0.status?.weight == 50 }

            var (context, console) = cluster.context()
            try await ListCommand.run(allNamespaces: false, context: context)
            let api = try await cluster.rollout("api"), web = try await cluster.rollout("web")
            let apiActive = try #require(api.status?.activeRevision), webActive = try #require(web.status?.activeRevision)
            let webGreen = try #require(web.status?.greenRevision)
            let expected = """
                GROUP    NAME   PHASE     WEIGHT   ACTIVE       GREEN        REVISIONS   AGE
                <none>   api    Healthy   0        \(apiActive)   <none>       1           <dur>
                <none>   web    Canary    50       \(webActive)   \(webGreen)   2           <dur>

                """
            #expect(normalised(console.output) == expected, "\(console.output)")

            (context, console) = cluster.context()
            context.namespace = "other"
            try await ListCommand.run(allNamespaces: false, context: context)
            #expect(console.output.isEmpty)
            #expect(console.errors == "No resources found in other namespace.\n")

            (context, console) = cluster.context()
            try await ListCommand.run(allNamespaces: true, context: context)
            #expect(console.output.hasPrefix("NAMESPACE   GROUP    NAME   PHASE"), "\(console.output)")
            #expect(console.output.contains("default     <none>   web    Canary "), "\(console.output)")
        }
    }

    @Test func historyShowsPromotedRevertedAndServingRevisions() async throws {
        try await CLICluster.with { cluster in
            try await cluster.createRollout("web", progressDeadlineSeconds: 2)
            let first = try await cluster.waitFor("web", "the first revision serving") { $0.status?.phase == .healthy }
            try await cluster.release("web", image: "example/web:2", podAnnotations: CLICluster.neverReady)
            let reverted = try await cluster.waitFor("web", "the never-ready release reverted") { $0.status?.phase == .rolledBack }
            try await cluster.release("web", image: "example/web:3")
            let done = try await cluster.waitFor("web", "the third release promoted") {
                $0.status?.phase == .healthy && $0.status?.activeRevision != first.status?.activeRevision
            }

            let (context, console) = cluster.context()
            try await HistoryCommand.run(name: "web", context: context)
            let lines = console.output.split(separator: "\n").map(String.init)
            #expect(lines.count == 4, "\(console.output)")
            #expect(lines[0].hasPrefix("REVISION"))
            let third = try #require(done.status?.activeRevision), second = try #require(reverted.status?.rolledBackRevision)
            let one = try #require(first.status?.activeRevision)
            // From status.history, which the controller keeps: outcomes and reasons as recorded.
            #expect(lines[0].hasPrefix("REVISION") && lines[0].contains("STARTED-BY"), "\(lines[0])")
            #expect(lines[1].hasPrefix(third) && lines[1].contains("app=example/web:3") && lines[1].hasSuffix("promoted, serving"), "\(lines[1])")
            #expect(lines[2].hasPrefix(second) && lines[2].contains("app=example/web:2")
                && lines[2].hasSuffix("reverted: ProgressDeadlineExceeded: green was not ready within 2s"), "\(lines[2])")
            #expect(lines[3].hasPrefix(one) && lines[3].contains("app=example/web:1") && lines[3].hasSuffix("promoted"), "\(lines[3])")
            #expect(!console.output.contains("(from events)"), "\(console.output)")

            // The report of a record the controller wrote.
            let (reportContext, report) = cluster.context()
            try await ReportCommand.run(name: "web", revision: second, format: .markdown, context: reportContext)
            #expect(report.output.hasPrefix("# Release \(second) of default/web\n"), "\(report.output)")
            #expect(report.output.contains("| Outcome | RolledBack |\n| Reason | ProgressDeadlineExceeded |"), "\(report.output)")
            #expect(report.output.contains("| Blue revision | `\(one)` |"), "\(report.output)")
        }
    }
}
