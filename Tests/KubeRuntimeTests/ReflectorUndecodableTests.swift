import KubeAPI
import KubeModels
import KubeSim
import SimulatorHarness
import Testing
@testable import KubeRuntime

/// One object the model cannot read must not stop the cache for every other object.
@Suite struct ReflectorUndecodableTests {
    /// A model stricter than the server: ConfigMap data as booleans, so any data is unreadable.
    struct StrictConfigMap: KubeObject, Hashable {
        static let resource = ConfigMap.resource
        var apiVersion: String?
        var kind: String?
        var metadata: ObjectMeta
        var data: [String: Bool]?
    }

    @Test func unreadableObjectsAreLeftOutAndTheWatchGoesOn() async throws {
        try await withRuntimeSimulator { _, client in
            _ = try await client.create(ConfigMap(metadata: ObjectMeta(name: "plain", namespace: "default")))
            _ = try await client.create(ConfigMap(metadata: ObjectMeta(name: "strings", namespace: "default"), data: ["k": "v"]))
            let reflector = Reflector<StrictConfigMap>(
                client: client, configuration: .init(namespace: "default", watchTimeoutSeconds: 30...30, backoff: ReflectorTests.fastBackoff))
            let changes = reflector.changes()
            try await ReflectorTests.running(reflector) {
                await reflector.waitUntilSynced()
                #expect(reflector.store.list().map(\.metadata.name) == ["plain"])
                #expect(reflector.counters.undecodable == 1)

                // A change that makes a cached object unreadable removes it, as a relist would.
                _ = try await client.patch(ConfigMap.self, name: "plain", namespace: "default", patch: .merge(["data": ["k": "v"]]))
                _ = try await client.create(ConfigMap(metadata: ObjectMeta(name: "later", namespace: "default")))
                var seen: [String] = []
                for await change in changes {
                    switch change {
                    case .added(let object): seen.append("added \(object.metadata.name ?? "")")
                    case .deleted(let object): seen.append("deleted \(object.metadata.name ?? "")")
                    case .modified(_, let object): seen.append("modified \(object.metadata.name ?? "")")
                    }
                    if seen.last == "added later" { break }
                }
                #expect(seen == ["added plain", "deleted plain", "added later"])
                #expect(reflector.store.list().map(\.metadata.name) == ["later"])
                #expect(reflector.counters.undecodable == 2)
                #expect(reflector.counters.lists == 1, "no relist: the watch went on")
                #expect(reflector.counters.failures == 0)
            }
        }
    }
}
