import KubeModels
import Synchronization
import Testing
@testable import KubeSim

@Suite("LIST and WATCH")
struct ListWatchTests {
    @Test("label and field selectors filter lists; unsupported field labels are 400")
    func selectors() async throws {
        try await withSim { _, client in
            _ = try await client.post(Fixtures.configmaps, Fixtures.configMap("a", labels: ["app": "demo", "tier": "web"]))
            _ = try await client.post(Fixtures.configmaps, Fixtures.configMap("b", labels: ["app": "demo", "tier": "db"]))
            _ = try await client.post(Fixtures.configmaps, Fixtures.configMap("c", labels: ["app": "other"]))
            func names(_ query: String) async throws -> [String] {
                try await client.get(Fixtures.configmaps + "?" + query).json["items"]?.arrayValue?
                    .compactMap { $0.at("metadata.name")?.stringValue } ?? []
            }
            #expect(try await names("labelSelector=app%3Ddemo%2Ctier%21%3Ddb") == ["a"])
            #expect(try await names("labelSelector=tier%20in%20(web,db)") == ["a", "b"])
            #expect(try await names("labelSelector=tier%20notin%20(web)") == ["b", "c"])
            #expect(try await names("labelSelector=!tier") == ["c"])
            #expect(try await names("labelSelector=tier") == ["a", "b"])
            #expect(try await names("fieldSelector=metadata.name%3Db") == ["b"])
            #expect(try await names("fieldSelector=metadata.name!%3Db") == ["a", "c"])
            let bad = try await client.get(Fixtures.configmaps + "?fieldSelector=data.x%3D1")
            #expect(bad.status == 400)
            #expect(bad.json["message"] == "field label not supported: data.x")
        }
    }

    @Test("a commit observer sees each write as it is committed, in resourceVersion order")
    func commitObserver() async throws {
        try await withSim { sim, client in
            let seen = Mutex<[(name: String, version: String, value: String?)]>([])
            sim.observeCommits { object in
                guard object["kind"] == "ConfigMap" else { return }
                let entry = (
                    object.at("metadata.name")?.stringValue ?? "", object.at("metadata.resourceVersion")?.stringValue ?? "",
                    object.at("data.k")?.stringValue
                )
                seen.withLock { $0.append(entry) }
            }
            _ = try await client.post(Fixtures.configmaps, Fixtures.configMap("a", data: ["k": "1"]))
            // Seen by the time the write's answer is sent: the observer runs as it commits.
            #expect(seen.withLock { $0.map(\.value) } == ["1"])
            _ = try await client.patch(Fixtures.configmaps + "/a", #"{"data":{"k":"2"}}"#)
            _ = try await client.delete(Fixtures.configmaps + "/a")
            let entries = seen.withLock { $0 }
            #expect(entries.map(\.name) == ["a", "a", "a"])
            #expect(entries.map(\.value) == ["1", "2", "2"], "a deletion shows the object as last seen")
            let versions = entries.compactMap { UInt64($0.version) }
            #expect(versions.count == 3 && versions == versions.sorted() && Set(versions).count == 3)
        }
    }

    @Test("limit and continue page through a list at the first page's resourceVersion")
    func pagination() async throws {
        try await withSim { _, client in
            for index in 0..<5 { _ = try await client.post(Fixtures.configmaps, Fixtures.configMap("cm-\(index)")) }
            let first = try await client.get(Fixtures.configmaps + "?limit=2").json
            #expect(first["items"]?.arrayValue?.count == 2)
            #expect(first.at("metadata.remainingItemCount") == 3)
            let token = first.at("metadata.continue")?.stringValue ?? ""
            #expect(!token.isEmpty)
            let second = try await client.get(Fixtures.configmaps + "?limit=2&continue=\(token)").json
            #expect(second.at("metadata.resourceVersion") == first.at("metadata.resourceVersion"))
            let third = try await client.get(Fixtures.configmaps + "?limit=2&continue=\(second.at("metadata.continue")?.stringValue ?? "")").json
            let all = [first, second, third].flatMap { $0["items"]?.arrayValue ?? [] }.compactMap { $0.at("metadata.name")?.stringValue }
            #expect(all == (0..<5).map { "cm-\($0)" })
            let lastToken = third.at("metadata.continue")?.stringValue ?? ""
            #expect(lastToken.isEmpty)
            #expect(third["kind"] == "ConfigMapList")
        }
    }

    @Test("watch from RV unset sends ADDED for current objects, then live changes as JSON lines")
    func watchInitialAndLive() async throws {
        try await withSim { sim, client in
            _ = try await client.post(Fixtures.configmaps, Fixtures.configMap("before"))
            async let stream = client.send("GET", Fixtures.configmaps + "?watch=true&timeoutSeconds=2")
            #expect(try await eventually { sim.openWatches == 1 }, "the watch to start")
            _ = try await client.post(Fixtures.configmaps, Fixtures.configMap("after"))
            _ = try await client.delete(Fixtures.configmaps + "/before")
            let response = try await stream
            #expect(response.status == 200)
            #expect(response.header("Transfer-Encoding").first == "chunked")
            let events = response.body.split(separator: "\n").map { (try? JSONParser.parse(String($0))) ?? .null }
            #expect(events.map { $0["type"] } == ["ADDED", "ADDED", "DELETED"])
            #expect(events.map { $0.at("object.metadata.name") } == ["before", "after", "before"])
            #expect(events.first?.at("object.kind") == "ConfigMap")
        }
    }

    @Test("watch from RV N replays only later changes; bookmarks only when asked")
    func watchFromVersion() async throws {
        try await withSim { _, client in
            let rv = try await client.post(Fixtures.configmaps, Fixtures.configMap("one")).json.at("metadata.resourceVersion")?.stringValue ?? ""
            _ = try await client.post(Fixtures.configmaps, Fixtures.configMap("two"))
            let replay = try await client.send("GET", Fixtures.configmaps + "?watch=true&resourceVersion=\(rv)&timeoutSeconds=1")
            let events = replay.body.split(separator: "\n").map { (try? JSONParser.parse(String($0))) ?? .null }
            #expect(events.map { $0.at("object.metadata.name") } == ["two"])
            #expect(!replay.body.contains("BOOKMARK"))
            let listed = try await client.send("GET", Fixtures.configmaps + "?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&timeoutSeconds=1")
            let lines = listed.body.split(separator: "\n").map { (try? JSONParser.parse(String($0))) ?? .null }
            #expect(lines.map { $0["type"] } == ["ADDED", "ADDED", "BOOKMARK"])
            #expect(lines.last?.at("object.metadata.annotations")?["k8s.io/initial-events-end"] == "true")
            let rejected = try await client.send("GET", Fixtures.configmaps + "?watch=true&sendInitialEvents=true")
            #expect(rejected.status == 422)
        }
    }

    @Test("a watch from a version older than the history gets a 410 Expired ERROR event")
    func watchExpired() async throws {
        try await withSim(history: 3) { _, client in
            for index in 0..<6 { _ = try await client.post(Fixtures.configmaps, Fixtures.configMap("x\(index)")) }
            let response = try await client.send("GET", Fixtures.configmaps + "?watch=true&resourceVersion=2&timeoutSeconds=5")
            let event = (try? JSONParser.parse(response.body.trimmingSpaces)) ?? .null
            #expect(event["type"] == "ERROR")
            #expect(event.at("object.code") == 410)
            #expect(event.at("object.reason") == "Expired")
            #expect(event.at("object.message")?.stringValue?.hasPrefix("too old resource version: 2") == true)
        }
    }

    @Test("Table watch events: only the first carries columnDefinitions")
    func tableWatch() async throws {
        try await withSim { _, client in
            _ = try await client.post(Fixtures.deployments, Fixtures.deployment("a"))
            _ = try await client.post(Fixtures.deployments, Fixtures.deployment("b"))
            let response = try await client.send(
                "GET", Fixtures.deployments + "?watch=true&timeoutSeconds=1",
                headers: ["Accept": "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"])
            let events = response.body.split(separator: "\n").map { (try? JSONParser.parse(String($0))) ?? .null }
            #expect(events.count == 2)
            #expect(events.first?.at("object.kind") == "Table")
            #expect(events.first?.at("object.columnDefinitions")?.arrayValue?.isEmpty == false)
            #expect(events.last?.at("object.columnDefinitions") == nil)
            #expect(events.last?.at("object.rows")?.arrayValue?.first?["cells"]?.arrayValue?.first == "b")
        }
    }
}

@Suite("WATCH with selectors")
struct SelectorWatchTests {
    @Test("an object that starts or stops matching a label selector is ADDED or DELETED")
    func selectorTransitions() async throws {
        try await withSim { sim, client in
            _ = try await client.post(Fixtures.configmaps, Fixtures.configMap("m", labels: ["tier": "web"]))
            async let stream = client.send("GET", Fixtures.configmaps + "?watch=true&labelSelector=tier%3Ddb&timeoutSeconds=2")
            #expect(await eventually { sim.store.watchCount > 0 })
            _ = try await client.patch(Fixtures.configmaps + "/m", #"{"metadata":{"labels":{"tier":"db"}}}"#)
            _ = try await client.patch(Fixtures.configmaps + "/m", #"{"data":{"a":"1"}}"#)
            _ = try await client.patch(Fixtures.configmaps + "/m", #"{"metadata":{"labels":{"tier":"web"}}}"#)
            _ = try await client.patch(Fixtures.configmaps + "/m", #"{"data":{"a":"2"}}"#)
            let events = try await stream.body.split(separator: "\n").map { (try? JSONParser.parse(String($0))) ?? .null }
            #expect(events.map { $0["type"] } == ["ADDED", "MODIFIED", "DELETED"])
        }
    }
}

/// The store's pages: its keys stay in order as objects come and go, and a page reads only as far
/// as it must.
@Suite("ObjectStore pages")
struct ObjectStorePageTests {
    static let key = "v1/configmaps"

    static func put(_ store: ObjectStore, _ namespace: String, _ name: String, keep: Bool) throws {
        let object: JSONValue = ["metadata": ["name": .string(name), "namespace": .string(namespace), "labels": ["keep": .string(keep ? "yes" : "no")]]]
        _ = try store.mutate(key, namespace: namespace, name: name) { _ in .put(object) }
    }

    static func names(_ store: ObjectStore, namespace: String?, limit: Int, keepOnly: Bool) -> [[String]] {
        var pages: [[String]] = []
        var after: String?
        repeat {
            let result = store.listPage(key, namespace: namespace, after: after, limit: limit) { object in
                !keepOnly || object["metadata"]?["labels"]?["keep"] == "yes"
            }
            pages.append(result.page.map(\.key))
            after = result.nextKey
        } while after != nil
        return pages
    }

    @Test func pagesFollowTheKeysAsTheyComeAndGo() throws {
        let store = ObjectStore()
        for index in [5, 1, 3] { try Self.put(store, "b", "cm-\(index)", keep: true) }
        try Self.put(store, "a", "cm-9", keep: true)
        // Listed once: the keys are sorted and kept from here on.
        #expect(Self.names(store, namespace: nil, limit: 0, keepOnly: false) == [["a/cm-9", "b/cm-1", "b/cm-3", "b/cm-5"]])
        try Self.put(store, "b", "cm-2", keep: false)
        try Self.put(store, "b", "cm-4", keep: true)
        try Self.put(store, "c", "cm-0", keep: true)
        _ = try store.mutate(Self.key, namespace: "b", name: "cm-3") { _ in .delete }
        _ = try store.mutate(Self.key, namespace: "b", name: "cm-7") { _ in .delete }  // not there: nothing to remove
        #expect(Self.names(store, namespace: nil, limit: 2, keepOnly: false) == [["a/cm-9", "b/cm-1"], ["b/cm-2", "b/cm-4"], ["b/cm-5", "c/cm-0"]])
        #expect(Self.names(store, namespace: "b", limit: 2, keepOnly: true) == [["b/cm-1", "b/cm-4"], ["b/cm-5"]])
        #expect(Self.names(store, namespace: "b", limit: 3, keepOnly: true) == [["b/cm-1", "b/cm-4", "b/cm-5"]], "a full last page has no next")
        #expect(Self.names(store, namespace: "c", limit: 1, keepOnly: false) == [["c/cm-0"]])
        #expect(Self.names(store, namespace: "d", limit: 1, keepOnly: false) == [[]])
    }

    @Test func aPageCountsTheKeysLeftAfterIt() throws {
        let store = ObjectStore()
        for index in 0..<7 { try Self.put(store, "a", "cm-\(index)", keep: index.isMultiple(of: 2)) }
        try Self.put(store, "b", "cm-0", keep: true)
        let first = store.listPage(Self.key, namespace: "a", after: nil, limit: 3) { _ in true }
        #expect(first.page.map(\.key) == ["a/cm-0", "a/cm-1", "a/cm-2"] && first.nextKey == "a/cm-2" && first.remaining == 4)
        // With a filter, the next page starts after the last key read before the next match.
        let kept = store.listPage(Self.key, namespace: "a", after: nil, limit: 2) { $0["metadata"]?["labels"]?["keep"] == "yes" }
        #expect(kept.page.map(\.key) == ["a/cm-0", "a/cm-2"] && kept.nextKey == "a/cm-3")
    }
}
