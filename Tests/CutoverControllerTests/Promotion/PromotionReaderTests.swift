import Cutover
@testable import CutoverController
import Foundation
import KubeAPI
import KubeModels
import KubeSim
import Logging
import SimulatorHarness
import Testing

/// The promotion reader against two API servers: sources in the controller's own cluster, and in
/// another one named by a kubeconfig Secret; what cannot be read is unreachable, never a pass.
@Suite("Promotion sources", .timeLimit(.minutes(1)))
struct PromotionReaderTests {
    static let crds = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("crds").path
    static let epoch = Date(timeIntervalSince1970: 1_800_000_000)

    /// A Rollout `staging/payment` whose status holds one promoted release of `image`.
    static func sourceRollout(image: String, revision: String) throws -> (Rollout, RolloutStatus) {
        let json = """
            {"apiVersion": "cutover.dev/v1alpha1", "kind": "Rollout", "metadata": {"name": "payment", "namespace": "staging"},
             "spec": {"selector": {"matchLabels": {"app": "payment"}},
               "template": {"metadata": {"labels": {"app": "payment"}}, "spec": {"containers": [{"name": "app", "image": "\(image)"}]}},
               "services": {"active": "payment"}}}
            """
        let rollout = try JSONDecoder().decode(Rollout.self, from: Data(json.utf8))
        var record = ReleaseRecord(revision: revision, images: ["app=\(image)"], startedAt: Timestamp(Self.epoch))
        record.outcome = .promoted
        record.endedAt = Timestamp(Self.epoch.addingTimeInterval(60))
        var status = RolloutStatus()
        status.phase = .healthy
        status.activeRevision = revision
        status.history = [record]
        return (rollout, status)
    }

    /// Creates the namespace (if new) and the source Rollout with its status.
    static func seed(_ client: KubeClient, image: String, revision: String) async throws {
        _ = try? await client.create(Namespace(metadata: ObjectMeta(name: "staging")))
        let (rollout, status) = try sourceRollout(image: image, revision: revision)
        var created = try await client.create(rollout)
        created.status = status
        _ = try await client.replaceStatus(created)
    }

    static func secret(_ name: String, _ data: [String: String]) -> Secret {
        Secret(metadata: ObjectMeta(name: name, namespace: "prod"), stringData: data)
    }

    @Test func readsSourcesHereAndInAnotherClusterAndNamesWhatCannotBeRead() async throws {
        try await withSimulator { localSim, local in
            try await withSimulator { remoteSim, remote in
                _ = try await localSim.loadCRDs(fromDirectory: Self.crds)
                _ = try await remoteSim.loadCRDs(fromDirectory: Self.crds)
                try await Self.seed(local, image: "registry.example.com/payment:1.4.0", revision: "here14")
                try await Self.seed(remote, image: "registry.example.com/payment:1.5.0", revision: "there15")
                _ = try await local.create(Namespace(metadata: ObjectMeta(name: "prod")))
                let file = FileManager.default.temporaryDirectory.appendingPathComponent("promotion-\(UUID().uuidString).kubeconfig")
                defer { try? FileManager.default.removeItem(at: file) }
                try remoteSim.writeKubeconfig(to: file.path)
                let kubeconfig = try String(contentsOf: file, encoding: .utf8)
                _ = try await local.create(Self.secret("staging-cluster", ["kubeconfig": kubeconfig]))
                _ = try await local.create(Self.secret("with-exec", ["kubeconfig": kubeconfig.replacingOccurrences(
                    of: "    token: \(remoteSim.token)", with: "    exec: {apiVersion: client.authentication.k8s.io/v1, command: aws}")]))

                let reader = PromotionReader(client: local, secrets: KubeSecretReader(client: local), logger: Logger(label: "test"))
                let remoteSource = PromotionSource(namespace: "staging", rollout: "payment", kubeconfigSecret: SecretKeyReference(name: "staging-cluster", key: "kubeconfig"))
                let sources = [
                    PromotionSource(namespace: "staging", rollout: "payment"),
                    remoteSource,
                    PromotionSource(namespace: "staging", rollout: "cart"),
                    PromotionSource(namespace: "staging", group: "shop"),
                    PromotionSource(namespace: "staging", rollout: "payment", kubeconfigSecret: SecretKeyReference(name: "staging-cluster", key: "other")),
                    PromotionSource(namespace: "staging", rollout: "payment", kubeconfigSecret: SecretKeyReference(name: "missing", key: "kubeconfig")),
                    PromotionSource(namespace: "staging", rollout: "payment", kubeconfigSecret: SecretKeyReference(name: "with-exec", key: "kubeconfig")),
                ]
                let evidence = await reader.read(PromotionCheck(revision: "prod15", sources: sources, member: "payment"), namespace: "prod")
                #expect(evidence.revision == "prod15")
                #expect(evidence.sources.map(\.source) == sources)
                let found = evidence.sources.map(\.found)
                guard found.count == 7 else { return }
                #expect(found[0] == .rollout(SourceReleases(history: try Self.sourceRollout(image: "registry.example.com/payment:1.4.0", revision: "here14").1.history!, serving: "here14")))
                guard case .rollout(let there) = found[1] else { Issue.record("the other cluster's Rollout: \(found[1])"); return }
                #expect(there.serving == "there15")
                #expect(there.history.map(\.images) == [["app=registry.example.com/payment:1.5.0"]])
                #expect(found[2] == .notFound)
                #expect(found[3] == .notFound, "no such ReleaseGroup")
                #expect(found[4] == .unreachable("Secret prod/staging-cluster key other does not exist"))
                guard case .unreachable(let missing) = found[5] else { Issue.record("a missing Secret: \(found[5])"); return }
                #expect(missing.hasPrefix("cannot read Secret prod/missing: "))
                guard case .unreachable(let exec) = found[6] else { Issue.record("an exec plugin: \(found[6])"); return }
                #expect(exec.contains("exec is invalid: an exec credential plugin is not allowed here"))

                // The other cluster goes down: unreachable, with the client's reason.
                try await remoteSim.stop()
                let down = await reader.read(PromotionCheck(revision: "prod15", sources: [remoteSource], member: "payment"), namespace: "prod")
                guard case .unreachable(let reason) = down.sources.first?.found else {
                    Issue.record("a stopped source cluster: \(String(describing: down.sources.first?.found))"); return
                }
                #expect(!reason.isEmpty)
                await reader.shutdown()
            }
        }
    }
}
