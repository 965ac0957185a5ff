import KubeModels
import SimulatorHarness
import Testing
@testable import KubeRuntime

/// The store: keys, indexes, the transform, and relists that swap in whole.
@Suite struct StoreTests {
    static func configMap(_ name: String, namespace: String = "default", owners: [String] = [], version: String = "1") -> ConfigMap {
        var meta = ObjectMeta(name: name, namespace: namespace)
        meta.resourceVersion = version
        meta.ownerReferences = owners.map { OwnerReference(apiVersion: "v1", kind: "Owner", name: $0, uid: "uid-\($0)", controller: true) }
        meta.managedFields = [ManagedFieldsEntry(manager: "kubectl", operation: "Update")]
        return ConfigMap(metadata: meta, data: ["k": "v"])
    }

    @Test func objectsAreKeyedByNamespaceAndName() {
        let store = Store<ConfigMap>()
        store.upsert(Self.configMap("a", namespace: "one"))
        store.upsert(Self.configMap("a", namespace: "two"))
        #expect(store.count == 2)
        #expect(store.get("one/a")?.metadata.namespace == "one")
        #expect(store.get(name: "a", namespace: "two")?.metadata.namespace == "two")
        let replaced = store.upsert(Self.configMap("a", namespace: "one", version: "2"))
        #expect(replaced?.oldObject?.metadata.resourceVersion == "1")
        #expect(store.count == 2)
        #expect(store.remove(Self.configMap("a", namespace: "one"))?.metadata.resourceVersion == "2")
        #expect(store.get("one/a") == nil)
    }

    @Test func ownerAndNamespaceIndexesFollowUpdatesAndDeletes() {
        let store = Store<ConfigMap>()
        store.upsert(Self.configMap("green", owners: ["web"]))
        store.upsert(Self.configMap("blue", owners: ["web"]))
        store.upsert(Self.configMap("other", namespace: "prod", owners: ["api"]))
        #expect(Set(store.owned(by: "uid-web").map { $0.metadata.name! }) == ["green", "blue"])
        #expect(store.list(namespace: "prod").map { $0.metadata.name! } == ["other"])
        // Ownership changes: the old owner's index forgets it.
        store.upsert(Self.configMap("blue", owners: ["api"]))
        #expect(store.owned(by: "uid-web").map { $0.metadata.name! } == ["green"])
        #expect(Set(store.owned(by: "uid-api").map { $0.metadata.name! }) == ["blue", "other"])
        store.remove(Self.configMap("green"))
        #expect(store.owned(by: "uid-web").isEmpty)
        #expect(store.snapshot().keys(ownedBy: "uid-web").isEmpty)
        #expect(store.list(namespace: "default").map { $0.metadata.name! } == ["blue"])
    }

    @Test func theTransformRunsBeforeCaching() {
        let store = Store<ConfigMap>(transform: Store.droppingManagedFields)
        store.upsert(Self.configMap("a"))
        store.replaceAll([Self.configMap("b")])
        #expect(store.get("default/b")?.metadata.managedFields == nil)
        #expect(store.get("default/b")?.data == ["k": "v"])
    }

    @Test func aSnapshotDoesNotChangeAfterLaterWrites() {
        let store = Store<ConfigMap>()
        store.upsert(Self.configMap("a"))
        let before = store.snapshot()
        store.upsert(Self.configMap("b"))
        store.remove(Self.configMap("a"))
        #expect(before.count == 1)
        #expect(before["default/a"] != nil)
        #expect(store.snapshot().count == 1)
    }

    @Test func replaceAllSwapsWholeAndReturnsThePreviousContents() {
        let store = Store<ConfigMap>()
        store.replaceAll((0..<3).map { Self.configMap("old-\($0)", owners: ["x"]) })
        let previous = store.replaceAll((0..<5).map { Self.configMap("new-\($0)") })
        #expect(previous.count == 3)
        #expect(store.count == 5)
        #expect(store.owned(by: "uid-x").isEmpty, "indexes are rebuilt with the contents")
    }

    /// Readers racing a relist see the old list or the new one, never a mix or a partial list.
    @Test func readersNeverSeeAHalfFilledStore() async {
        let store = Store<ConfigMap>()
        let size = 500
        store.replaceAll((0..<size).map { Self.configMap("a-\($0)") })
        let torn = Box(0)
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for round in 0..<20 {
                    let prefix = round % 2 == 0 ? "b" : "a"
                    store.replaceAll((0..<size).map { Self.configMap("\(prefix)-\($0)") })
                    // Leave the shared cooperative pool to the other suites' timing-sensitive tests.
                    await Task.yield()
                }
            }
            for _ in 0..<2 {
                group.addTask {
                    for _ in 0..<200 {
                        await Task.yield()
                        let snapshot = store.snapshot()
                        let prefixes = Set(snapshot.objects.keys.map { $0.split(separator: "/")[1].prefix(1) })
                        if snapshot.count != size || prefixes.count != 1 { torn.update { $0 += 1 } }
                    }
                }
            }
        }
        #expect(torn.get == 0)
    }

    // MARK: Read your own writes

    @Test func anAssumedWriteIsReadAtOnceAndTheVersionItReplacedIsNotAppliedAgain() {
        let store = Store<ConfigMap>()
        store.upsert(Self.configMap("a", version: "1"))
        var written = Self.configMap("a", version: "2")
        written.data = ["k": "ours"]
        let assumed = store.assumeWritten(written, over: "1")
        #expect(assumed?.oldObject?.metadata.resourceVersion == "1")
        #expect(assumed?.object.data == ["k": "ours"])
        #expect(store.get("default/a")?.data == ["k": "ours"])
        #expect(store.assumedCount == 1)
        // The watch trails: it delivers version 1 again (a relist, or an event sent before our write).
        #expect(store.upsert(Self.configMap("a", version: "1")) == nil)
        #expect(store.get("default/a")?.metadata.resourceVersion == "2")
        // Then our own write arrives: no news (its change came with the assumption), and nothing
        // is assumed any more.
        #expect(store.upsert(written) == nil)
        #expect(store.assumedCount == 0)
        // From then on every version is applied.
        store.upsert(Self.configMap("a", version: "3"))
        #expect(store.get("default/a")?.metadata.resourceVersion == "3")
    }

    @Test func writesInARowSupersedeEveryVersionBeforeThem() {
        let store = Store<ConfigMap>()
        store.upsert(Self.configMap("a", version: "1"))
        store.assumeWritten(Self.configMap("a", version: "2"), over: "1")
        store.assumeWritten(Self.configMap("a", version: "3"), over: "2")
        #expect(store.upsert(Self.configMap("a", version: "1")) == nil)
        #expect(store.upsert(Self.configMap("a", version: "2")) == nil)
        #expect(store.get("default/a")?.metadata.resourceVersion == "3")
        store.upsert(Self.configMap("a", version: "3"))
        #expect(store.assumedCount == 0)
    }

    /// A patch names no version: someone else's write (2) may land between the version we read (1)
    /// and our patch (3). The watch delivers 2 before 3; the store keeps showing our patch.
    @Test func aVersionTheWatchDeliversBeforeOurPatchDoesNotHideIt() {
        let store = Store<ConfigMap>()
        store.upsert(Self.configMap("a", version: "1"))
        var patched = Self.configMap("a", version: "3")
        patched.data = ["k": "ours"]
        store.assumeWritten(patched, over: "1")
        #expect(store.upsert(Self.configMap("a", version: "2")) == nil)
        #expect(store.get("default/a")?.data == ["k": "ours"])
        #expect(store.upsert(patched) == nil)
        #expect(store.assumedCount == 0)
        #expect(store.upsert(Self.configMap("a", version: "4"))?.object.metadata.resourceVersion == "4")
    }

    @Test func aWriteTheStoreAlreadyShowsOrHasPassedIsNotAssumed() {
        let store = Store<ConfigMap>()
        // The watch delivered our write (version 2) before the response to it came back.
        store.upsert(Self.configMap("a", version: "2"))
        #expect(store.assumeWritten(Self.configMap("a", version: "2"), over: "1") == nil)
        #expect(store.assumedCount == 0)
        // Someone else wrote version 3 after ours, and the watch showed it first.
        store.upsert(Self.configMap("a", version: "3"))
        store.assumeWritten(Self.configMap("a", version: "2"), over: "1")
        #expect(store.get("default/a")?.metadata.resourceVersion == "3")
        #expect(store.assumedCount == 0)
        // Nothing cached under the key (deleted meanwhile): nothing to assume.
        store.assumeWritten(Self.configMap("b", version: "5"), over: "4")
        #expect(store.get("default/b") == nil)
    }

    @Test func aRelistKeepsAnAssumedWriteOverTheVersionItReplacedAndADeleteForgetsIt() {
        let store = Store<ConfigMap>(transform: Store.droppingManagedFields)
        store.upsert(Self.configMap("a", version: "1"))
        store.upsert(Self.configMap("b", version: "1"))
        store.assumeWritten(Self.configMap("a", version: "2"), over: "1")
        store.assumeWritten(Self.configMap("b", version: "2"), over: "1")
        #expect(store.get("default/a")?.metadata.managedFields == nil, "the transform applies to assumed writes")
        // A list served from a trailing cache: a still at 1 (ours stays), b already newer.
        store.replaceAll([Self.configMap("a", version: "1"), Self.configMap("b", version: "4")])
        #expect(store.get("default/a")?.metadata.resourceVersion == "2")
        #expect(store.get("default/b")?.metadata.resourceVersion == "4")
        #expect(store.assumedCount == 1)
        store.remove(Self.configMap("a"))
        #expect(store.assumedCount == 0)
        #expect(store.get("default/a") == nil)
    }
}
