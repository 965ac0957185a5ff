import Cutover
import CutoverCLI
import Foundation
import KubeAPI
import KubeModels
import SimulatorHarness
import Testing

/// The built `kubectl-cutover` binary as a process, found by the real `kubectl` on PATH.
@Suite("kubectl cutover as a kubectl plugin", .serialized, .timeLimit(.minutes(3)))
struct PluginProcessTests {
    /// The directory of the built products (where the test bundle itself lives).
    static var binDirectory: URL {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
            CLICluster.repositoryRoot.appendingPathComponent(".build/debug"),
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.appendingPathComponent("kubectl-cutover").path) } ?? candidates[0]
    }

    struct Run {
        var status: Int32
        var out: String
        var err: String
    }

    /// Runs `arguments[0]` with the rest, PATH = the bin directory first, a fresh HOME.
    static func run(_ arguments: [String], kubeconfig: String? = nil) async throws -> Run {
        let binary = binDirectory.appendingPathComponent("kubectl-cutover").path
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw PluginMissing(description: "\(binary) is missing: run `swift build --product kubectl-cutover` first")
        }
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("cutover-plugin-home-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: home) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["PATH"] = binDirectory.path + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
        environment["HOME"] = home.path
        environment["KUBECONFIG"] = kubeconfig ?? home.appendingPathComponent("none").path
        process.environment = environment
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Blocking reads and the wait run on a Dispatch thread, never on the cooperative pool: the
        // in-process KubeSim and controller need those threads to answer the child.
        let (stdout, stderr): (Data, Data) = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                let group = DispatchGroup()
                let errData = Box(Data())
                group.enter()
                DispatchQueue.global().async {
                    let data = err.fileHandleForReading.readDataToEndOfFile()
                    errData.update { $0 = data }
                    group.leave()
                }
                let outData = out.fileHandleForReading.readDataToEndOfFile()
                group.wait()
                process.waitUntilExit()
                continuation.resume(returning: (outData, errData.get))
            }
        }
        return Run(status: process.terminationStatus, out: String(decoding: stdout, as: UTF8.self), err: String(decoding: stderr, as: UTF8.self))
    }

    struct PluginMissing: Error, CustomStringConvertible { var description: String }

    @Test func kubectlFindsThePluginOnPath() async throws {
        let version = try await Self.run(["kubectl", "cutover", "version"])
        #expect(version.status == 0, "\(version.err)")
        #expect(version.out == "kubectl-cutover \(CutoverVersion.current)\n")
        let help = try await Self.run(["kubectl", "cutover", "status", "--help"])
        #expect(help.out.contains("2  AwaitingApproval"), "exit codes documented in --help: \(help.out)")
    }

    @Test func listStatusAndGetThroughKubectlAgainstTheCluster() async throws {
        try await CLICluster.with { cluster in
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cutover-plugin-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let kubeconfig = try cluster.writeKubeconfig(in: directory)
            try await cluster.createRollout("web")

            let status = try await Self.run(["kubectl", "cutover", "status", "web", "--watch", "--timeout", "60s"], kubeconfig: kubeconfig)
            #expect(status.status == 0, "\(status.out)\(status.err)")
            #expect(status.out.contains("Healthy — serving "), "\(status.out)")

            let list = try await Self.run(["kubectl", "cutover", "list", "-A"], kubeconfig: kubeconfig)
            #expect(list.status == 0, "\(list.err)")
            #expect(list.out.hasPrefix("NAMESPACE   GROUP    NAME   PHASE     WEIGHT"), "\(list.out)")
            #expect(list.out.contains("default     <none>   web    Healthy   0 "), "\(list.out)")

            // Standard output is a pipe here: plain text, no escape codes.
            let get = try await Self.run(["kubectl-cutover", "get", "web", "-n", "default"], kubeconfig: kubeconfig)
            #expect(get.status == 0 && get.out.hasPrefix("Rollout default/web  Healthy"), "\(get.out)\(get.err)")
            #expect(!get.out.contains("\u{1B}"))

            let missing = try await Self.run(["kubectl", "cutover", "status", "nope"], kubeconfig: kubeconfig)
            #expect(missing.status == 1)
            #expect(missing.err == "Error from server (NotFound): rollouts.cutover.dev \"nope\" not found\n", "\(missing.err)")

            let refused = try await Self.run(["kubectl", "cutover", "promote", "web", "--kubeconfig", kubeconfig, "--context", "kube-sim"])
            #expect(refused.status == 1)
            #expect(refused.err.hasPrefix("error: cannot promote rollout web: no release in flight"), "\(refused.err)")

            // kubectl execs the plugin, so a pipeline sees the plugin's own exit code: 2 at the approval gate.
            try await cluster.createRollout("gate", strategy: #"{"approval": "Manual"}"#)
            try await cluster.waitForPhase("gate", .healthy)
            try await cluster.release("gate", image: "example/gate:2")
            let gate = try await Self.run(["kubectl", "cutover", "status", "gate", "-w", "--timeout", "1m"], kubeconfig: kubeconfig)
            #expect(gate.status == 2, "\(gate.out)\(gate.err)")
            #expect(gate.out.hasSuffix("AwaitingApproval — ManualApproval: promote with `kubectl cutover promote gate`\n"), "\(gate.out)")
            let notYet = try await Self.run(["kubectl", "cutover", "status", "gate", "--timeout", "bogus"], kubeconfig: kubeconfig)
            #expect(notYet.status == 64, "a bad flag is a usage error: \(notYet.err)")

            let badContext = try await Self.run(["kubectl", "cutover", "list", "--context", "nowhere"], kubeconfig: kubeconfig)
            #expect(badContext.status == 1)
            #expect(badContext.err.contains("context \"nowhere\" not found"), "\(badContext.err)")
        }
    }
}
