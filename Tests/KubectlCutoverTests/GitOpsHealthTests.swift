import Cutover
import CutoverCLI
import Foundation
import KubeAPI
import KubeModels
import SimulatorHarness
import Testing

/// What GitOps tools read of a Rollout, from Rollouts recorded in real runs (KubeSim and the
/// controller): kstatus' verdict (docs/gitops.md writes its rules down; ``kstatus(_:)`` is them)
/// and Argo CD's health from manifests/argocd/health.lua run by a real Lua interpreter.
@Suite("GitOps health", .serialized, .timeLimit(.minutes(3)))
struct GitOpsHealthTests {
    enum KStatus: String { case current = "Current", inProgress = "InProgress", failed = "Failed" }

    /// kstatus' rules for a custom resource, as docs/gitops.md states them.
    static func kstatus(_ rollout: Rollout) -> KStatus {
        if let generation = rollout.metadata.generation, let observed = rollout.status?.observedGeneration, observed < generation {
            return .inProgress
        }
        for condition in rollout.status?.conditions ?? [] where condition.status == "True" {
            if condition.type == "Reconciling" { return .inProgress }
            if condition.type == "Stalled" { return .failed }
        }
        return .current
    }

    /// Argo CD's health of `rollout`: health.lua run by `lua5.4` with `obj` set to the Rollout.
    static func argoHealth(_ rollout: Rollout) throws -> (status: String, message: String) {
        let json = try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(rollout))
        let script = CLICluster.repositoryRoot.appendingPathComponent("manifests/argocd/health.lua").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["lua5.4", "-e", "obj = " + luaLiteral(json), "-e", #"local hs = dofile("\#(script)") io.write(hs.status, "\n", hs.message or "")"#]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let output = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw LuaFailed(description: "lua5.4 exited \(process.terminationStatus): \(String(decoding: errors, as: UTF8.self))")
        }
        let lines = String(decoding: output, as: UTF8.self).split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
        return (String(lines.first ?? ""), lines.count > 1 ? String(lines[1]) : "")
    }

    struct LuaFailed: Error, CustomStringConvertible { var description: String }

    /// A Lua table constructor for `value` (JSON null leaves the key out, as Argo CD's conversion does).
    static func luaLiteral(_ value: JSONValue) -> String {
        switch value {
        case .null: return "nil"
        case .bool(let flag): return flag ? "true" : "false"
        case .int(let number): return String(number)
        case .double(let number): return "\(number)"
        case .string(let text):
            var escaped = ""
            for scalar in text.unicodeScalars {
                switch scalar {
                case "\\": escaped += "\\\\"
                case "\"": escaped += "\\\""
                case "\n": escaped += "\\n"
                default: escaped.unicodeScalars.append(scalar)
                }
            }
            return "\"\(escaped)\""
        case .array(let items): return "{" + items.map(luaLiteral).joined(separator: ", ") + "}"
        case .object(let members):
            return "{" + members.sorted { $0.key < $1.key }.filter { $0.value != .null }.map { "[\(luaLiteral(.string($0.key)))] = \(luaLiteral($0.value))" }
                .joined(separator: ", ") + "}"
        }
    }

    @Test func eachPhaseAsKstatusAndArgoCDSeeIt() async throws {
        try await CLICluster.with { cluster in
            var recorded: [(name: String, rollout: Rollout, kstatus: KStatus, argo: String)] = []
            try await cluster.createRollout("web", strategy: #"{"canary": {"steps": [{"weight": 50, "pause": "1h"}]}}"#)
            let healthy = try await cluster.waitFor("web", "Healthy") { $0.status?.phase == .healthy }
            recorded.append(("Healthy", healthy, .current, "Healthy"))
            var ahead = healthy
            ahead.metadata.generation = (healthy.metadata.generation ?? 1) + 1
            recorded.append(("a generation the controller has not seen", ahead, .inProgress, "Progressing"))

            try await cluster.release("web", image: "example/web:2")
            let canary = try await cluster.waitFor("web", "the canary at 50%") { $0.status?.phase == .canary && $0.status?.weight == 50 }
            recorded.append(("Canary", canary, .inProgress, "Progressing"))
            _ = try await cluster.client.patch(
                Rollout.self, name: "web", namespace: CLICluster.namespace, patch: .merge(["metadata": ["annotations": [CutoverLabels.paused: "true"]]]))
            let paused = try await cluster.waitFor("web", "paused") { $0.status?.paused == true && $0.status?.observedGeneration == $0.metadata.generation }
            recorded.append(("paused in the canary", paused, .inProgress, "Suspended"))

            try await cluster.createRollout("api", strategy: #"{"approval": "Manual"}"#)
            _ = try await cluster.waitFor("api", "Healthy") { $0.status?.phase == .healthy }
            try await cluster.release("api", image: "example/api:2")
            let approval = try await cluster.waitFor("api", "AwaitingApproval") { $0.status?.phase == .awaitingApproval }
            recorded.append(("AwaitingApproval", approval, .inProgress, "Suspended"))

            try await cluster.createRollout("db", progressDeadlineSeconds: 2)
            _ = try await cluster.waitFor("db", "Healthy") { $0.status?.phase == .healthy }
            try await cluster.release("db", image: "example/db:2", podAnnotations: CLICluster.neverReady)
            let rolledBack = try await cluster.waitFor("db", "RolledBack") { $0.status?.phase == .rolledBack }
            recorded.append(("RolledBack", rolledBack, .failed, "Degraded"))

            for (name, rollout, expected, argo) in recorded {
                #expect(Self.kstatus(rollout) == expected, "\(name): \(String(describing: rollout.status?.conditions))")
                let health = try Self.argoHealth(rollout)
                #expect(health.status == argo, "\(name): \(health)")
                #expect(!health.message.isEmpty, "\(name)")
                let conditions = Dictionary((rollout.status?.conditions ?? []).map { ($0.type, $0) }, uniquingKeysWith: { a, _ in a })
                for type in ["Ready", "Reconciling", "Stalled"] {
                    #expect(conditions[type]?.observedGeneration == rollout.status?.observedGeneration, "\(name): \(type)")
                }
            }
            #expect(healthy.status?.conditions?.first { $0.type == "Ready" }?.status == "True")
            #expect(canary.status?.conditions?.first { $0.type == "Ready" }?.status == "False")
            let stalled = try #require(rolledBack.status?.conditions?.first { $0.type == "Stalled" })
            #expect(stalled.reason == "ProgressDeadlineExceeded" && stalled.message?.contains("change the template or retry") == true, "\(stalled)")
            #expect(try Self.argoHealth(rolledBack).message == stalled.message)
        }
    }
}
