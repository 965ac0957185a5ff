import Foundation
import KubeModels
import KubeSim
import SimulatorHarness
import Testing
@testable import KubeAPI

/// Which HTTP version the client speaks to a server that offers h2 (KubeSim over TLS, as
/// kube-apiserver), and how watches behave as HTTP/2 streams. README "The Kubernetes API client"
/// and the bench-http2 figures say why the default is HTTP/1.1.
@Suite struct HTTPVersionTests {
    static let http2 = KubeClient.Options(retry: RetryPolicy(baseDelay: 0.05, maxDelay: 2), httpVersion: .http2IfOffered)

    static func configMap(_ name: String) -> ConfigMap {
        ConfigMap(metadata: ObjectMeta(name: name, namespace: "default"), data: ["k": "v"])
    }

    /// Starts `count` watches from `resourceVersion` that count the ADDED events they see.
    static func watches(
        _ count: Int, client: KubeClient, from resourceVersion: String?, added: Box<Int>, failed: Box<Int>? = nil
    ) -> [Task<Void, Never>] {
        (0..<count).map { _ in
            Task {
                do {
                    for try await update in client.watch(
                        ConfigMap.self, namespace: "default", options: WatchOptions(resourceVersion: resourceVersion, timeoutSeconds: 120))
                    {
                        if case .added = update { added.update { $0 += 1 } }
                    }
                } catch {
                    if !(error is CancellationError) { failed?.update { $0 += 1 } }
                }
            }
        }
    }

    static func stop(_ tasks: [Task<Void, Never>]) async {
        for task in tasks { task.cancel() }
        for task in tasks { await task.value }
    }

    @Test func theDefaultClientSpeaksHTTP1EvenWhenTheServerOffersHTTP2() async throws {
        try await withSimulator { sim, client in
            #expect(client.options.httpVersion == .http1)
            let list = try await client.list(ConfigMap.self, namespace: "default")
            let added = Box(0)
            let watchers = Self.watches(3, client: client, from: list.metadata.resourceVersion, added: added)
            try await eventually("three watches") { sim.openWatches == 3 }
            _ = try await client.create(Self.configMap("one"))
            try await eventually("every watch to see it") { added.get == 3 }
            #expect(sim.connectionCounts.http2 == 0)
            #expect(sim.connectionCounts.http1 >= 4, "a connection per watch, one for the requests")
            await Self.stop(watchers)
        }
    }

    @Test func spareConnectionsOpenAfterTheFirstRequest() async throws {
        try await withSimulator(clientOptions: KubeClient.Options(spareConnections: 4)) { sim, client in
            #expect(sim.connectionCounts.http1 == 0, "nothing is opened before a request")
            _ = try await client.list(ConfigMap.self, namespace: "default")
            // async-http-client keeps at least four idle (the request's own, idle again, counts);
            // how many it opens while the first request is in flight, or opens again, is its own.
            try await eventually("four idle connections") { sim.connectionCounts.http1 >= 4 }
            // A burst as wide as the spares is served by them.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<4 { group.addTask { _ = try await client.create(Self.configMap("burst-\(index)")) } }
                try await group.waitForAll()
            }
            #expect(try await client.list(ConfigMap.self, namespace: "default").items.count == 4)
        }
    }

    @Test func withHTTP2WatchesAreStreamsOfOneConnection() async throws {
        try await withSimulator(clientOptions: Self.http2) { sim, client in
            let list = try await client.list(ConfigMap.self, namespace: "default")
            let added = Box(0)
            let watchers = Self.watches(50, client: client, from: list.metadata.resourceVersion, added: added)
            try await eventually(within: 20, "50 watches") { sim.openWatches == 50 }
            _ = try await client.create(Self.configMap("broadcast"))
            try await eventually(within: 20, "every watch to see it") { added.get == 50 }
            // One connection for the requests, one for the watches (each pool keeps its own).
            #expect(sim.connectionCounts == KubeSim.ConnectionCounts(http1: 0, http2: 2))
            await Self.stop(watchers)
        }
    }

    @Test func cancellingOneHTTP2WatchClosesOnlyItsStream() async throws {
        try await withSimulator(clientOptions: Self.http2) { sim, client in
            let list = try await client.list(ConfigMap.self, namespace: "default")
            let keptAdded = Box(0)
            let kept = Self.watches(1, client: client, from: list.metadata.resourceVersion, added: keptAdded)
            let cancelled = Self.watches(1, client: client, from: list.metadata.resourceVersion, added: Box(0))
            try await eventually("two watches") { sim.openWatches == 2 }
            await Self.stop(cancelled)
            try await eventually("the server to see one stream end") { sim.openWatches == 1 }
            _ = try await client.create(Self.configMap("after-cancel"))
            try await eventually("the other watch to go on") { keptAdded.get == 1 }
            #expect(sim.connectionCounts.http2 == 2, "the connection stayed open")
            await Self.stop(kept)
        }
    }

    @Test func aGoAwayEndsHTTP2WatchesAndANewWatchReconnects() async throws {
        try await withSimulator(clientOptions: Self.http2) { sim, client in
            let list = try await client.list(ConfigMap.self, namespace: "default")
            let ended = Box(false)
            let watcher = Task {
                do {
                    for try await _ in client.watch(
                        ConfigMap.self, namespace: "default",
                        options: WatchOptions(resourceVersion: list.metadata.resourceVersion, timeoutSeconds: 120)) {}
                } catch {}
                ended.update { $0 = true }
            }
            try await eventually("the watch") { sim.openWatches == 1 }
            let connections = sim.connectionCounts.http2
            #expect(await sim.goAwayHTTP2Connections() == 2)
            try await eventually("the watch to end long before its timeoutSeconds") { ended.get }
            await watcher.value
            // What a reflector does next: watch again, on a new connection.
            let added = Box(0)
            let again = Self.watches(1, client: client, from: list.metadata.resourceVersion, added: added)
            _ = try await client.create(Self.configMap("after-goaway"))
            try await eventually("the new watch to see the change") { added.get == 1 }
            #expect(sim.connectionCounts.http2 == connections + 2)
            await Self.stop(again)
        }
    }

    /// async-http-client keeps one HTTP/2 connection per pool and queues a request when it has no
    /// free stream; client-go would open another connection. So watches beyond the server's
    /// SETTINGS_MAX_CONCURRENT_STREAMS wait, and fail at the request deadline.
    @Test func http2WatchesBeyondTheServersStreamLimitWaitAndFail() async throws {
        var simOptions = KubeSim.Options.apiOnly
        simOptions.http2MaxConcurrentStreams = 4
        var options = Self.http2
        options.requestTimeout = 2
        try await withSimulator(clientOptions: options, simOptions: simOptions) { sim, client in
            let list = try await client.list(ConfigMap.self, namespace: "default")
            let failed = Box(0)
            let watchers = Self.watches(6, client: client, from: list.metadata.resourceVersion, added: Box(0), failed: failed)
            try await eventually("the streams the server allows") { sim.openWatches == 4 }
            try await eventually("the other two to fail at the request deadline") { failed.get == 2 }
            #expect(sim.openWatches == 4)
            #expect(sim.connectionCounts.http2 == 2, "no second connection for the waiting watches")
            await Self.stop(watchers)
        }
    }
}
