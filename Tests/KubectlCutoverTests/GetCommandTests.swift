import Cutover
import CutoverCLI
import Foundation
import KubeAPI
import KubeModels
import SimulatorHarness
import Testing

/// `kubectl cutover get`: the tree of a release in each phase, checked against golden text, with
/// Rollouts driven to their phases by the in-process controller.
@Suite("get: the release tree in every phase", .serialized, .timeLimit(.minutes(3)))
struct GetCommandTests {
    /// Each Rollout is driven to one phase; the tree is then stable (pods counted, hashes fixed by the template).
    @Test func theTreeOfEachPhaseMatchesItsGoldenFile() async throws {
        try await CLICluster.with { cluster in
            try await cluster.createRollout("healthy", preview: true)
            try await cluster.createRollout("progressing")
            try await cluster.createRollout("canary", strategy: #"{"canary": {"steps": [{"weight": 50, "pause": "1h"}]}}"#, preview: true)
            try await cluster.createRollout("approval", strategy: #"{"approval": "Manual"}"#)
            try await cluster.createRollout("hold", strategy: #"{"holdWindow": "1h"}"#)
            try await cluster.createRollout("rolledback", progressDeadlineSeconds: 2)
            try await cluster.createRollout("invalid", strategy: #"{"canary": {"steps": [{"weight": 50}, {"weight": 20}]}}"#)
            for name in ["healthy", "progressing", "canary", "approval", "hold", "rolledback"] {
                try await cluster.waitForPhase(name, .healthy)
            }
            try await cluster.release("progressing", image: "example/progressing:2", podAnnotations: CLICluster.neverReady)
            try await cluster.release("canary", image: "example/canary:2")
            try await cluster.release("approval", image: "example/approval:2")
            try await cluster.release("hold", image: "example/hold:2")
            try await cluster.release("rolledback", image: "example/rolledback:2", podAnnotations: CLICluster.neverReady)

            let phases: [(String, RolloutPhase)] = [
                ("healthy", .healthy), ("progressing", .progressing), ("canary", .canary), ("approval", .awaitingApproval),
                ("hold", .holdWindow), ("rolledback", .rolledBack), ("invalid", .invalidSpec),
            ]
            for (name, phase) in phases {
                try await cluster.waitFor(name, "settled in \(phase.rawValue)") { rollout in
                    guard rollout.status?.phase == phase else { return false }
                    // Settled: a canary step has started, and green's pods are counted in the message.
                    if phase == .canary { return rollout.status?.stepStartedAt != nil }
                    return true
                }
                let text = try await settledTree(name, cluster: cluster)
                #expect(!text.contains("\u{1B}"), "plain text when not a terminal")
                try expectGolden(normalised(text), "get-\(name)")
            }
        }
    }

    /// The tree once two reads in a row agree (the simulated Deployment controller may still be
    /// counting pods right after a phase change).
    func settledTree(_ name: String, cluster: CLICluster) async throws -> String {
        let last = Box<String>("")
        try await eventually(within: 20, "a stable tree for \(name)", pollEvery: .milliseconds(200)) {
            let (context, console) = cluster.context()
            try await GetCommand.run(name: name, watch: false, format: .tree, context: context)
            let text = normalised(console.output)
            defer { last.update { $0 = text } }
            return text == last.get && !text.contains("0/2 ready  example/\(name):1")
        }
        return last.get
    }

    @Test func jsonAndYamlCarryTheSameView() async throws {
        try await CLICluster.with { cluster in
            try await cluster.createRollout("web", preview: true)
            try await cluster.waitForPhase("web", .healthy)
            var (context, console) = cluster.context()
            try await GetCommand.run(name: "web", watch: false, format: .json, context: context)
            let view = try JSONDecoder().decode(ReleaseView.self, from: Data(console.output.utf8))
            #expect(view.phase == "Healthy")
            #expect(view.revisions.count == 1 && view.revisions.first?.role == "blue")
            #expect(view.revisions.first?.images == ["example/web:1"])
            #expect(view.services.map(\.name) == ["web", "web-preview"])
            #expect(view.services.allSatisfy { $0.selects == view.activeRevision })

            (context, console) = cluster.context()
            try await GetCommand.run(name: "web", watch: false, format: .yaml, context: context)
            #expect(console.output.contains("phase: Healthy\n"), "\(console.output)")
            #expect(console.output.contains("- example/web:1\n"), "\(console.output)")
        }
    }

    /// --watch follows the release through watches: each changed tree printed after a blank line,
    /// plain text when not a terminal, redrawn in place (escape codes) on a terminal.
    @Test(arguments: [false, true])
    func watchPrintsEveryChange(terminal: Bool) async throws {
        try await CLICluster.with { cluster in
            try await cluster.createRollout("web", strategy: #"{"approval": "Manual"}"#)
            try await cluster.waitForPhase("web", .healthy)
            let (context, console) = cluster.context(terminal: terminal)
            let watching = Task { try await GetCommand.run(name: "web", watch: true, format: .tree, context: context) }
            try await cluster.release("web", image: "example/web:2")
            try await eventually(within: 30, "the watched tree to reach AwaitingApproval") {
                console.output.contains("Rollout default/web  AwaitingApproval")
            }
            watching.cancel()
            _ = await watching.result
            let output = console.output
            #expect(output.hasPrefix("Rollout default/web  Healthy"), "\(output)")
            #expect(output.contains("Rollout default/web  Progressing"), "\(output)")
            #expect(output.contains("example/web:2"), "\(output)")
            if terminal {
                #expect(output.contains("\u{1B}[H\u{1B}[2J"), "redrawn in place on a terminal")
            } else {
                #expect(!output.contains("\u{1B}"), "no escape codes when not a terminal")
                #expect(output.contains("\n\nRollout default/web  "), "frames separated by a blank line")
            }
        }
    }
}
