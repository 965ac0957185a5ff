import KubeAPI
import KubeModels
import KubeSim
import SimulatorHarness
import Testing
@testable import KubeRuntime

/// The reflector against KubeSim: list, watch, resume, relist on 410, reconnect, selectors.
@Suite struct ReflectorTests {
    static let fastBackoff = Backoff(initial: .milliseconds(50), maximum: .milliseconds(200), jitter: 0.5)

    static func configuration(
        timeout: ClosedRange<Int> = 30...30, labelSelector: String? = nil, fieldSelector: String? = nil, pageSize: Int = 500
    ) -> Reflector<ConfigMap>.Configuration {
        .init(namespace: "default", labelSelector: labelSelector, fieldSelector: fieldSelector, pageSize: pageSize,
              watchTimeoutSeconds: timeout, backoff: fastBackoff)
    }

    static func configMap(_ name: String, labels: [String: String]? = nil, value: String = "v") -> ConfigMap {
        ConfigMap(metadata: ObjectMeta(name: name, namespace: "default", labels: labels), data: ["k": value])
    }

    /// Runs `reflector` in a child task for the duration of `body`, then cancels it.
    static func running<R: Sendable, T>(
        _ reflector: Reflector<R>, _ body: () async throws -> T
    ) async throws -> T {
        let task = Task { await reflector.run() }
        do {
            let result = try await body()
            task.cancel()
            await task.value
            return result
        } catch {
            task.cancel()
            await task.value
            throw error
        }
    }

    @Test func listsInPagesThenAppliesWatchedChanges() async throws {
        try await withRuntimeSimulator { sim, client in
            for name in ["a", "b", "c"] { _ = try await client.create(Self.configMap(name)) }
            let reflector = Reflector<ConfigMap>(
                client: client, configuration: Self.configuration(pageSize: 2), store: Store(transform: Store.droppingManagedFields))
            let changes = reflector.changes()
            // A mapped subscriber: only what the map returns waits in its stream; nil is skipped.
            let names = reflector.changes { change -> String? in
                guard case .modified = change else { return nil }
                return change.object.metadata.name
            }
            #expect(!reflector.hasSynced)
            #expect(reflector.state == .empty)
            try await Self.running(reflector) {
                await reflector.waitUntilSynced()
                #expect(reflector.hasSynced)
                #expect(reflector.store.count == 3)
                #expect(await sim.requestCount(verb: "list", resource: "configmaps") == 2, "two pages of two")
                _ = try await client.create(Self.configMap("d"))
                _ = try await client.patch(ConfigMap.self, name: "a", namespace: "default", patch: .merge(["data": ["k": "2"]]))
                try await client.delete(ConfigMap.self, name: "b", namespace: "default")
                try await eventually("the watched changes in the store") {
                    reflector.store.get("default/a")?.data?["k"] == "2" && reflector.store.get("default/b") == nil
                        && reflector.store.get("default/d") != nil
                }
                #expect(reflector.store.get("default/d")?.metadata.managedFields == nil, "the transform applies to watched objects")
                guard case .watching = reflector.state else {
                    Issue.record("expected to be watching, is \(reflector.state)")
                    return
                }
            }
            var seen: [String] = []
            for await change in changes {
                switch change {
                case .added(let object): seen.append("added \(object.metadata.name!)")
                case .modified(let old, let new): seen.append("modified \(new.metadata.name!) \(old.data!["k"]!)→\(new.data!["k"]!)")
                case .deleted(let object): seen.append("deleted \(object.metadata.name!)")
                }
            }
            #expect(Set(seen.prefix(3)) == ["added a", "added b", "added c"])
            #expect(Array(seen.dropFirst(3)) == ["added d", "modified a v→2", "deleted b"])
            var modified: [String] = []
            for await name in names { modified.append(name) }
            #expect(modified == ["a"])
        }
    }

    @Test func subscribersHearOurOwnWriteOnceAsItIsAssumed() async throws {
        try await withRuntimeSimulator { _, client in
            _ = try await client.create(Self.configMap("a"))
            let reflector = Reflector<ConfigMap>(client: client, configuration: Self.configuration())
            let changes = reflector.changes { change -> String? in
                guard case .modified(let old, let new) = change else { return nil }
                return "\(old.data?["k"] ?? "-")→\(new.data?["k"] ?? "-")"
            }
            try await Self.running(reflector) {
                await reflector.waitUntilSynced()
                let base = try #require(reflector.store.get("default/a")?.metadata.resourceVersion)
                let written = try await client.patch(ConfigMap.self, name: "a", namespace: "default", patch: .merge(["data": ["k": "ours"]]))
                reflector.assumeWritten(written, over: base)
                // Someone else's write after ours: the watch delivers ours, then theirs.
                _ = try await client.patch(ConfigMap.self, name: "a", namespace: "default", patch: .merge(["data": ["k": "theirs"]]))
                try await eventually("their write in the store") { reflector.store.get("default/a")?.data?["k"] == "theirs" }
            }
            var heard: [String] = []
            for await change in changes { heard.append(change) }
            // Ours once, when assumed (not again when the watch brought it back), then theirs.
            #expect(heard == ["v→ours", "ours→theirs"])
        }
    }

    @Test func ourOwnWriteComingBackOnTheWatchIsNotDecodedAgain() async throws {
        try await withRuntimeSimulator { _, client in
            _ = try await client.create(Self.configMap("a"))
            let reflector = Reflector<ConfigMap>(client: client, configuration: Self.configuration())
            try await Self.running(reflector) {
                await reflector.waitUntilSynced()
                // The watch may bring our write back before its answer is assumed (then the
                // assumption is dropped, and the echo was decoded): write again until it does not.
                var written: ConfigMap?
                for attempt in 1...20 {
                    if let previous = written?.metadata.resourceVersion {
                        try await eventually("the last write in the store") { reflector.store.get("default/a")?.metadata.resourceVersion == previous }
                    }
                    let base = try #require(reflector.store.get("default/a")?.metadata.resourceVersion)
                    let write = try await client.patch(ConfigMap.self, name: "a", namespace: "default", patch: .merge(["data": ["k": .string("ours-\(attempt)")]]))
                    written = write
                    reflector.assumeWritten(write, over: base)
                    if reflector.store.assumedCount == 1 { break }
                }
                let ours = try #require(written)
                try #require(reflector.store.assumedCount == 1, "in 20 writes the watch always came first")
                let held = reflector.counters.held
                try await eventually("our write delivered by the watch") { reflector.store.assumedCount == 0 }
                #expect(reflector.counters.held == held + 1, "the echo of the assumed version is skipped, not decoded")
                #expect(reflector.store.get("default/a")?.metadata.resourceVersion == ours.metadata.resourceVersion)
                #expect(reflector.store.get("default/a")?.data?["k"] == ours.data?["k"])

                // Someone else's write is decoded as ever; so is a write of ours never assumed.
                let events = reflector.counters.events
                _ = try await client.patch(ConfigMap.self, name: "a", namespace: "default", patch: .merge(["data": ["k": "theirs"]]))
                try await eventually("their write in the store") { reflector.store.get("default/a")?.data?["k"] == "theirs" }
                #expect(reflector.counters.events == events + 1)
                #expect(reflector.counters.held == held + 1)
            }
        }
    }

    @Test func aServerSideTimeoutResumesTheWatchWithoutListing() async throws {
        try await withRuntimeSimulator { sim, client in
            let reflector = Reflector<ConfigMap>(client: client, configuration: Self.configuration(timeout: 1...1))
            try await Self.running(reflector) {
                try await eventually(within: 15, "three watches ended by the server") { reflector.counters.watches >= 3 }
                _ = try await client.create(Self.configMap("after-timeouts"))
                try await eventually("the object created after the timeouts") { reflector.store.get("default/after-timeouts") != nil }
                #expect(reflector.counters.lists == 1)
                #expect(reflector.counters.failures == 0)
                #expect(await sim.requestCount(verb: "list", resource: "configmaps") == 1)
            }
        }
    }

    @Test func anExpiredResumeRelistsAndReportsWhatChanged() async throws {
        try await withRuntimeSimulator { sim, client in
            _ = try await client.create(Self.configMap("kept"))
            _ = try await client.create(Self.configMap("removed"))
            let reflector = Reflector<ConfigMap>(client: client, configuration: Self.configuration(timeout: 1...1))
            let changes = reflector.changes()
            try await Self.running(reflector) {
                await reflector.waitUntilSynced()
                try await client.injectFaults(["expireWatchResumes": 1])
                try await eventually(within: 15, "a relist after 410") { reflector.counters.lists == 2 }
                #expect(reflector.counters.expiredRelists == 1)
                #expect(await sim.requestCount(verb: "list", resource: "configmaps") == 2)
                _ = try await client.create(Self.configMap("new"))
                try await eventually("watching again after the relist") { reflector.store.get("default/new") != nil }
            }
            var added: [String] = []
            for await case .added(let object) in changes { added.append(object.metadata.name!) }
            #expect(added.sorted() == ["kept", "new", "removed"], "an unchanged relist reports nothing again")
        }
    }

    @Test func droppedWatchesReconnectFromTheLastVersion() async throws {
        try await withRuntimeSimulator { sim, client in
            let reflector = Reflector<ConfigMap>(client: client, configuration: Self.configuration(timeout: 300...300))
            try await Self.running(reflector) {
                await reflector.waitUntilSynced()
                _ = try await client.create(Self.configMap("before"))
                try await eventually("the first event") { reflector.store.count == 1 }
                try await client.injectFaults(["dropWatches": true])
                try await eventually("a second watch") { reflector.counters.watches >= 2 }
                _ = try await client.create(Self.configMap("after"))
                try await eventually("the event after the reconnect") { reflector.store.get("default/after") != nil }
                #expect(reflector.counters.lists == 1, "a reconnect resumes; it does not relist")
                #expect(await sim.requestCount(verb: "list", resource: "configmaps") == 1)
            }
        }
    }

    /// Over HTTP/2 a server's GOAWAY ends every watch on the connection at once; the reflector
    /// watches again (on a new connection) from its last version, without relisting.
    @Test func anHTTP2GoAwayMakesTheReflectorWatchAgain() async throws {
        let options = KubeClient.Options(retry: RetryPolicy(baseDelay: 0.05, maxDelay: 0.5), requestTimeout: 5, httpVersion: .http2IfOffered)
        try await withSimulator(clientOptions: options) { sim, client in
            let reflector = Reflector<ConfigMap>(client: client, configuration: Self.configuration(timeout: 300...300))
            try await Self.running(reflector) {
                await reflector.waitUntilSynced()
                try await eventually("the watch to open") { sim.openWatches == 1 }
                #expect(await sim.goAwayHTTP2Connections() >= 1)
                try await eventually("a second watch") { reflector.counters.watches >= 2 }
                _ = try await client.create(Self.configMap("after-goaway"))
                try await eventually("the event after the reconnect") { reflector.store.get("default/after-goaway") != nil }
                #expect(reflector.counters.lists == 1, "a reconnect resumes; it does not relist")
            }
        }
    }

    @Test func aLabelSelectedReflectorCachesOnlyMatchingObjects() async throws {
        try await withRuntimeSimulator { _, client in
            _ = try await client.create(Self.configMap("owned", labels: ["cutover.dev/rollout": "web"]))
            _ = try await client.create(Self.configMap("foreign", labels: ["app": "other"]))
            let reflector = Reflector<ConfigMap>(client: client, configuration: Self.configuration(labelSelector: "cutover.dev/rollout"))
            try await Self.running(reflector) {
                await reflector.waitUntilSynced()
                #expect(reflector.store.list().map { $0.metadata.name! } == ["owned"])
                _ = try await client.create(Self.configMap("later", labels: ["cutover.dev/rollout": "api"]))
                _ = try await client.create(Self.configMap("noise"))
                // An object gaining the label enters the cache; one losing it leaves.
                _ = try await client.patch(ConfigMap.self, name: "foreign", namespace: "default",
                                           patch: .merge(["metadata": ["labels": ["cutover.dev/rollout": "x"]]]))
                _ = try await client.patch(ConfigMap.self, name: "owned", namespace: "default",
                                           patch: .merge(["metadata": ["labels": ["cutover.dev/rollout": nil]]]))
                try await eventually("the selector's view") {
                    Set(reflector.store.list().map { $0.metadata.name! }) == ["later", "foreign"]
                }
            }
        }
    }

    @Test func aFieldSelectedReflectorCachesOnlyMatchingObjects() async throws {
        try await withRuntimeSimulator { _, client in
            _ = try await client.create(Self.configMap("wanted"))
            _ = try await client.create(Self.configMap("unwanted"))
            let reflector = Reflector<ConfigMap>(client: client, configuration: Self.configuration(fieldSelector: "metadata.name=wanted"))
            try await Self.running(reflector) {
                await reflector.waitUntilSynced()
                #expect(reflector.store.list().map { $0.metadata.name! } == ["wanted"])
                _ = try await client.patch(ConfigMap.self, name: "unwanted", namespace: "default", patch: .merge(["data": ["k": "2"]]))
                _ = try await client.patch(ConfigMap.self, name: "wanted", namespace: "default", patch: .merge(["data": ["k": "2"]]))
                try await eventually("the update") { reflector.store.get("default/wanted")?.data?["k"] == "2" }
                #expect(reflector.store.count == 1)
            }
        }
    }

    @Test func withoutANamespaceItWatchesAllNamespaces() async throws {
        try await withRuntimeSimulator { _, client in
            _ = try await client.create(Namespace(metadata: ObjectMeta(name: "prod")))
            let labels = ["cutover.dev/rollout": "web"]
            _ = try await client.create(Self.configMap("here", labels: labels))
            var configuration = Self.configuration(labelSelector: "cutover.dev/rollout")
            configuration.namespace = nil
            let reflector = Reflector<ConfigMap>(client: client, configuration: configuration)
            try await Self.running(reflector) {
                await reflector.waitUntilSynced()
                _ = try await client.create(ConfigMap(metadata: ObjectMeta(name: "there", namespace: "prod", labels: labels)))
                try await eventually("the object in the other namespace") { reflector.store.get("prod/there") != nil }
                #expect(reflector.store.list(namespace: "default").map { $0.metadata.name! } == ["here"])
            }
        }
    }

    /// Bookmarks move a selective watch's resourceVersion past changes it does not see, so a
    /// resume after a quiet spell does not fall out of the server's history.
    @Test func bookmarksAdvanceTheResourceVersionOfASelectiveWatch() async throws {
        try await withRuntimeSimulator { _, client in
            let reflector = Reflector<ConfigMap>(client: client, configuration: Self.configuration(labelSelector: "cutover.dev/rollout"))
            try await Self.running(reflector) {
                await reflector.waitUntilSynced()
                let unrelated = try await client.create(Self.configMap("unrelated"))
                let latest = Int(unrelated.metadata.resourceVersion!)!
                try await eventually(within: 12, "a bookmark at or past \(latest)") {
                    guard case .watching(let version) = reflector.state, let seen = Int(version) else { return false }
                    return seen >= latest
                }
                #expect(reflector.store.count == 0)
            }
        }
    }

    @Test func listFailuresBackOffAndRetryBeforeSyncing() async throws {
        try await withRuntimeSimulator { _, client in
            try await client.injectFaults(["rules": [["verb": "list", "resource": "configmaps", "count": 2, "code": 403]]])
            let reflector = Reflector<ConfigMap>(client: client, configuration: Self.configuration())
            try await Self.running(reflector) {
                await reflector.waitUntilSynced()
                #expect(reflector.counters.failures == 2)
                #expect(reflector.counters.lists == 1)
            }
        }
    }

    @Test func cancellingRunEndsItPromptlyAndFinishesSubscribers() async throws {
        try await withRuntimeSimulator { _, client in
            let reflector = Reflector<ConfigMap>(client: client, configuration: Self.configuration(timeout: 300...300))
            let changes = reflector.changes()
            let task = Task { await reflector.run() }
            await reflector.waitUntilSynced()
            let cancelled = ContinuousClock.now
            task.cancel()
            await task.value
            for await _ in changes {}
            #expect(ContinuousClock.now - cancelled < .seconds(3))
            #expect(reflector.state == .empty)
        }
    }
}
