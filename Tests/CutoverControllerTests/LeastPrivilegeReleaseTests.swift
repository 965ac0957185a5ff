import ClusterHarness
import Cutover
import CutoverController
import Foundation
import KubeAPI
import KubeModels
import KubeRuntime
import KubeSim
import Testing

/// The controller run exactly as `manifests/` installs it: the manifests applied with kubectl, the
/// controller authenticating with its ServiceAccount's token (so KubeSim enforces the ClusterRole
/// and Role), leader election on. A first deploy and a canary release reach Healthy with no 403
/// anywhere: the granted rules are sufficient. The same token cannot list Secrets.
@Suite("The controller under its manifests/ RBAC", .serialized, .timeLimit(.minutes(3)))
struct LeastPrivilegeReleaseTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    @Test func aReleaseRunsToHealthyWithOnlyTheGrantedPermissions() async throws {
        var options = KubeSim.Options()
        options.tickInterval = .milliseconds(100)
        let sim = try await KubeSim.start(options)
        let admin = try KubeClient(
            config: KubeConfig(
                server: sim.baseURL, trust: .certificateAuthority(pem: Array(sim.caCertificatePEM.utf8)),
                credentials: .bearerToken(sim.token)),
            options: ControllerRuns.clientOptions)
        var controllerClient: KubeClient?
        var running: Task<Void, any Error>?
        defer { running?.cancel() }
        do {
            let kubeconfig = FileManager.default.temporaryDirectory.appendingPathComponent("lp-\(UUID().uuidString).kubeconfig").path
            try sim.writeKubeconfig(to: kubeconfig)
            let applied = try await Self.kubectl(["apply", "-k", Self.root + "/manifests"], kubeconfig: kubeconfig)
            try #require(applied.status == 0, "kubectl apply -k manifests/: \(applied.output)")
            let minted = try await Self.kubectl(["create", "token", "cutover-controller", "-n", "cutover-system"], kubeconfig: kubeconfig)
            try #require(minted.status == 0, "kubectl create token: \(minted.output)")
            let token = minted.output.trimmingCharacters(in: .whitespacesAndNewlines)

            let config = KubeConfig(
                server: sim.baseURL, trust: .certificateAuthority(pem: Array(sim.caCertificatePEM.utf8)),
                credentials: .bearerToken(token))
            let client = try KubeClient(config: config, options: ControllerRuns.clientOptions)
            controllerClient = client
            // Wired as cutover-controller's main does, with its default lease.
            let controller = Controller(
                RolloutController(
                    client: client, runner: AnalysisRunner(secrets: KubeSecretReader(client: client)),
                    recorder: EventRecorder(client: client, component: "cutover-controller", instance: "least-privilege-test")),
                configuration: .init(workers: 2))
            let elector = LeaderElector(
                client: client,
                configuration: try LeaderElectionConfiguration(
                    leaseName: "cutover-controller", leaseNamespace: "cutover-system", identity: "least-privilege-test"))
            running = Task { try await elector.withLeadership { try await controller.run() } }
            _ = try await eventually("leadership and synced caches", timeout: .seconds(30)) {
                (elector.isLeader && controller.hasSynced ? true : nil, "leader \(elector.isLeader), synced \(controller.hasSynced)")
            }

            try await ReleaseTests.createService(admin)
            let ready = ["sim.cutover.dev/ready-after": "300ms"]
            _ = try await admin.create(try ReleaseTests.rollout(image: "example/web:1", podAnnotations: ready, progressDeadlineSeconds: 30))
            let first = try await ReleaseTests.waitHealthy(admin)
            try await ReleaseTests.changeTemplate(admin, image: "example/web:2", podAnnotations: ready)
            let second = try await ReleaseTests.waitHealthy(admin, notRevision: first.status?.activeRevision)
            #expect(second.status?.activeRevision != first.status?.activeRevision)

            // Every request the controller made was allowed; its Events were written.
            let (_, stats) = await sim.request("GET", "/sim/stats")
            let refused = (stats["requests"]?.arrayValue ?? []).filter { $0["code"]?.intValue == 403 }
            #expect(refused.isEmpty, "refused: \(refused)")
            let events = try await admin.list(Event.self, namespace: ReleaseTests.namespace)
            #expect(events.items.contains { $0.involvedObject.kind == "Rollout" }, "no Event on the Rollout")

            // The Secret rule is `get` in the Rollout's namespace (what the analysis runner does), never list.
            let secret = Secret(metadata: ObjectMeta(name: "prometheus", namespace: ReleaseTests.namespace), data: ["token": "c2VjcmV0"])
            _ = try await admin.create(secret)
            let data = try await KubeSecretReader(client: client).secretData(namespace: ReleaseTests.namespace, name: "prometheus")
            #expect(data["token"] == Array("secret".utf8))
            await #expect(throws: KubeError.self) { _ = try await client.list(Secret.self, namespace: ReleaseTests.namespace) }
            do {
                _ = try await client.list(Secret.self, namespace: ReleaseTests.namespace)
            } catch let error as KubeError {
                guard case .forbidden(let status) = error else { Issue.record("expected 403, got \(error)"); throw error }
                #expect(status.message == #"secrets is forbidden: User "system:serviceaccount:cutover-system:cutover-controller" cannot list resource "secrets" in API group "" in the namespace "default""#)
            }
        } catch {
            running?.cancel()
            _ = await running?.result
            try? await controllerClient?.shutdown()
            try? await admin.shutdown()
            try? await sim.stop()
            throw error
        }
        running?.cancel()
        _ = await running?.result
        try? await controllerClient?.shutdown()
        try? await admin.shutdown()
        try? await sim.stop()
    }

    /// Runs the installed kubectl with a fresh discovery cache; stdout and stderr together.
    static func kubectl(_ arguments: [String], kubeconfig: String) async throws -> (status: Int32, output: String) {
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("lp-cache-\(UUID().uuidString)").path
        return try await withCheckedThrowingContinuation { continuation in
            // A thread of its own: waitUntilExit must not block the cooperative pool.
            Thread {
                let output = FileManager.default.temporaryDirectory.appendingPathComponent("lp-out-\(UUID().uuidString)")
                FileManager.default.createFile(atPath: output.path, contents: nil)
                let process = Process()
                process.executableURL = URL(fileURLWithPath: "/usr/bin/kubectl")
                process.arguments = ["--kubeconfig", kubeconfig, "--cache-dir", cache] + arguments
                let handle = FileHandle(forWritingAtPath: output.path)
                process.standardOutput = handle
                process.standardError = handle
                do {
                    try process.run()
                } catch {
                    continuation.resume(throwing: error)
                    return
                }
                process.waitUntilExit()
                let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
                continuation.resume(returning: (process.terminationStatus, text))
            }.start()
        }
    }
}
