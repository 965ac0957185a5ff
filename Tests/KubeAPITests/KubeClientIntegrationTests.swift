import Foundation
import KubeModels
import KubeSim
import SimulatorHarness
import Synchronization
import Testing
@testable import KubeAPI

/// The client against a real HTTPS API server (KubeSim) with a bearer token.
@Suite struct KubeClientIntegrationTests {
    static func configMap(_ name: String, _ data: [String: String] = ["k": "v"]) -> ConfigMap {
        ConfigMap(metadata: ObjectMeta(name: name, namespace: "default"), data: data)
    }

    @Test func createGetListReplaceDelete() async throws {
        try await withSimulator { _, client in
            let created = try await client.create(Self.configMap("one"))
            #expect(created.metadata.uid != nil)
            #expect(created.metadata.resourceVersion != nil)
            let read = try await client.get(ConfigMap.self, name: "one", namespace: "default")
            #expect(read.data == ["k": "v"])
            var changed = read
            changed.data = ["k": "w"]
            let replaced = try await client.replace(changed)
            #expect(replaced.data == ["k": "w"])
            #expect(replaced.metadata.resourceVersion != read.metadata.resourceVersion)
            let list = try await client.list(ConfigMap.self, namespace: "default")
            #expect(list.items.map(\.metadata.name) == ["one"])
            try await client.delete(ConfigMap.self, name: "one", namespace: "default")
            await #expect(throws: KubeError.self) { try await client.get(ConfigMap.self, name: "one", namespace: "default") }
            do {
                _ = try await client.get(ConfigMap.self, name: "one", namespace: "default")
            } catch let error as KubeError {
                #expect(error.isNotFound)
                #expect(error.status?.message == #"configmaps "one" not found"#)
            }
            let again = await #expect(throws: KubeError.self) { try await client.create(Self.configMap("two")).metadata.name! + (try await client.create(Self.configMap("two"))).metadata.name! }
            #expect(again?.isAlreadyExists == true)
        }
    }

    @Test("a write fence refuses every write before it is sent, and lets reads through")
    func writeFence() async throws {
        let closed = Mutex(true)
        var options = KubeClient.Options(retry: RetryPolicy(baseDelay: 0.05, maxDelay: 2))
        options.writeFence = { closed.withLock { $0 } ? "this replica does not hold the leader lease" : nil }
        try await withSimulator(clientOptions: options) { sim, client in
            do {
                _ = try await client.create(Self.configMap("fenced"))
                Issue.record("the fenced create was sent")
            } catch KubeError.fenced(let method, _, let reason) {
                #expect(method == "POST" && reason == "this replica does not hold the leader lease")
            }
            #expect(await sim.request("GET", "/api/v1/namespaces/default/configmaps/fenced").status == 404, "nothing was sent")
            #expect(try await client.list(ConfigMap.self, namespace: "default").items.isEmpty, "reads pass")
            closed.withLock { $0 = false }
            #expect(try await client.create(Self.configMap("fenced")).metadata.name == "fenced")
        }
    }

    @Test func staleResourceVersionIsAConflict() async throws {
        try await withSimulator { _, client in
            let created = try await client.create(Self.configMap("c"))
            var first = created
            first.data = ["k": "1"]
            _ = try await client.replace(first)
            var stale = created
            stale.data = ["k": "2"]
            let error = await #expect(throws: KubeError.self) { try await client.replace(stale) }
            #expect(error?.isConflict == true)
            #expect(try await client.get(ConfigMap.self, name: "c", namespace: "default").data == ["k": "1"])
        }
    }

    @Test func mergeAndJSONPatches() async throws {
        try await withSimulator { _, client in
            _ = try await client.create(Self.configMap("p", ["a": "1", "b": "2"]))
            let merged = try await client.patch(
                ConfigMap.self, name: "p", namespace: "default", patch: .merge(["data": ["a": nil, "c": "3"]]))
            #expect(merged.data == ["b": "2", "c": "3"])
            let patched = try await client.patch(
                ConfigMap.self, name: "p", namespace: "default",
                patch: .json([
                    JSONPatchOperation(op: "test", path: "/data/b", value: "2"),
                    JSONPatchOperation(op: "replace", path: "/data/b", value: "20"),
                    JSONPatchOperation(op: "add", path: "/metadata/labels", value: ["cutover.dev/x": "y"]),
                ]))
            #expect(patched.data?["b"] == "20")
            #expect(patched.metadata.labels == ["cutover.dev/x": "y"])
            let failed = await #expect(throws: KubeError.self) {
                try await client.patch(
                    ConfigMap.self, name: "p", namespace: "default",
                    patch: .json([JSONPatchOperation(op: "test", path: "/data/b", value: "nope")]))
            }
            #expect(failed?.code == 422)
            let escaped = JSONPatchOperation.escape("cutover.dev/revision")
            #expect(escaped == "cutover.dev~1revision")
        }
    }

    @Test func statusAndScaleSubresources() async throws {
        try await withSimulator { _, client in
            let template = PodTemplateSpec(
                metadata: ObjectMeta(labels: ["app": "web"]),
                spec: ["containers": [["name": "app", "image": "nginx"]]])
            let deployment = Deployment(
                metadata: ObjectMeta(name: "web", namespace: "default"),
                spec: DeploymentSpec(replicas: 2, selector: LabelSelector(matchLabels: ["app": "web"]), template: template))
            let created = try await client.create(deployment)
            #expect(created.metadata.generation == 1)
            let withStatus = try await client.patchStatus(
                Deployment.self, name: "web", namespace: "default", status: ["observedGeneration": 1, "replicas": 2])
            #expect(withStatus.status?.observedGeneration == 1)
            #expect(withStatus.metadata.generation == 1)
            // The main resource ignores status; the status subresource ignores spec.
            var edited = withStatus
            edited.status?.replicas = 99
            edited.spec?.replicas = 3
            let replaced = try await client.replace(edited)
            #expect(replaced.status?.replicas == 2)
            #expect(replaced.metadata.generation == 2)
            let scale = try await client.scale(Deployment.resource, name: "web", namespace: "default", replicas: 5)
            #expect(scale.spec.replicas == 5)
            let read = try await client.getScale(Deployment.resource, name: "web", namespace: "default")
            #expect(read.spec.replicas == 5)
            #expect(try await client.get(Deployment.self, name: "web", namespace: "default").spec?.replicas == 5)
        }
    }

    @Test func listFollowsContinueTokensToTheEnd() async throws {
        let log = RequestLog()
        var options = KubeClient.Options()
        options.observer = { log.append($0) }
        try await withSimulator(clientOptions: options) { _, client in
            for index in 0..<25 { _ = try await client.create(Self.configMap(String(format: "cm-%02d", index))) }
            let list = try await client.list(ConfigMap.self, namespace: "default", options: ListOptions(limit: 10))
            #expect(list.items.count == 25)
            #expect(Set(list.items.compactMap(\.metadata.name)).count == 25)
            #expect(list.metadata.resourceVersion != nil)
            #expect(log.codes("LIST") == [200, 200, 200])
            let selected = try await client.list(
                ConfigMap.self, namespace: "default", options: ListOptions(fieldSelector: "metadata.name=cm-07"))
            #expect(selected.items.map(\.metadata.name) == ["cm-07"])
        }
    }

    @Test func wrongTokenIsUnauthorized() async throws {
        try await withSimulator { sim, _ in
            let config = KubeConfig(
                server: sim.baseURL, trust: .certificateAuthority(pem: Array(sim.caCertificatePEM.utf8)),
                credentials: .bearerToken("wrong"))
            let client = try KubeClient(config: config)
            let error = await #expect(throws: KubeError.self) { try await client.list(ConfigMap.self, namespace: "default") }
            try await client.shutdown()
            guard case .unauthorized(let status)? = error else { Issue.record("expected unauthorized, got \(String(describing: error))"); return }
            #expect(status.message == "Unauthorized")
        }
    }

    @Test func kubeconfigWrittenByTheSimulatorWorksAndTLSServerNameIsHonoured() async throws {
        try await withSimulator { sim, _ in
            let dir = try TempDirectory()
            try sim.writeKubeconfig(to: "\(dir.path)/config")
            var config = try KubeConfig.load(path: "\(dir.path)/config")
            let client = try KubeClient(config: config)
            #expect(try await client.list(Namespace.self).items.contains { $0.metadata.name == "default" })
            try await client.shutdown()
            // The certificate names localhost; reach it by IP and verify it as localhost.
            config.tlsServerName = "localhost"
            let named = try KubeClient(config: config)
            #expect(try await named.get(Namespace.self, name: "default").metadata.name == "default")
            try await named.shutdown()
            // No negative case here: NIOSSL also accepts a certificate whose IP SAN matches the
            // connected address, and KubeSim's certificate names 127.0.0.1.
        }
    }

    @Test func retriesAfterAnInjected429WithRetryAfter() async throws {
        let log = RequestLog()
        var options = KubeClient.Options(retry: RetryPolicy(baseDelay: 0.05, maxDelay: 2))
        options.observer = { log.append($0) }
        try await withSimulator(clientOptions: options) { _, client in
            _ = try await client.create(Self.configMap("r"))
            try await client.injectFaults([
                "rules": [["verb": "get", "resource": "configmaps", "count": 2, "code": 429, "retryAfterSeconds": 1]]
            ])
            let started = ContinuousClock.now
            #expect(try await client.get(ConfigMap.self, name: "r", namespace: "default").data == ["k": "v"])
            #expect(ContinuousClock.now - started >= .seconds(2))
            #expect(log.codes("GET") == [429, 429, 200])
        }
    }

    @Test func aCreateIsNeverRetriedBlindlyButAGetIs() async throws {
        let log = RequestLog()
        var options = KubeClient.Options(retry: RetryPolicy(baseDelay: 0.05, maxDelay: 2))
        options.observer = { log.append($0) }
        try await withSimulator(clientOptions: options) { _, client in
            try await client.injectFaults([
                "rules": [
                    ["verb": "create", "resource": "configmaps", "count": 1, "code": 500],
                    ["verb": "get", "resource": "configmaps", "count": 2, "code": 503],
                ]
            ])
            let error = await #expect(throws: KubeError.self) { try await client.create(Self.configMap("x")) }
            guard case .serverError? = error else { Issue.record("expected a server error, got \(String(describing: error))"); return }
            #expect(log.codes("POST").filter { $0 != 200 } == [500])
            _ = try await client.create(Self.configMap("x"))
            #expect(try await client.get(ConfigMap.self, name: "x", namespace: "default").metadata.name == "x")
            #expect(log.codes("GET") == [503, 503, 200])
        }
    }
}
