import Foundation
import KubeModels
import KubeSim
import Synchronization
import SimulatorHarness
import Testing
@testable import KubeAPI

/// Watches against KubeSim: events, server-side timeouts, 410 on resume, cancellation, and many
/// concurrent watches on one client.
@Suite struct WatchIntegrationTests {
    static func configMap(_ name: String) -> ConfigMap {
        ConfigMap(metadata: ObjectMeta(name: name, namespace: "default"), data: ["k": "v"])
    }

    static func summary(_ update: WatchUpdate<ConfigMap>) -> String? {
        switch update {
        case .added(let o): return "ADDED \(o.metadata.name!)"
        case .modified(let o): return "MODIFIED \(o.metadata.name!) \(o.data?["k"] ?? "")"
        case .deleted(let o): return "DELETED \(o.metadata.name!)"
        case .bookmark: return nil
        }
    }

    @Test func seesAddedModifiedDeletedFromAListsResourceVersion() async throws {
        try await withSimulator { _, client in
            _ = try await client.create(Self.configMap("before"))
            let list = try await client.list(ConfigMap.self, namespace: "default")
            let stream = client.watch(
                ConfigMap.self, namespace: "default",
                options: WatchOptions(resourceVersion: list.metadata.resourceVersion, timeoutSeconds: 30))
            let seen = Mutex<[String]>([])
            let watcher = Task {
                for try await update in stream {
                    if let line = Self.summary(update) { seen.withLock { $0.append(line) } }
                    if case .deleted = update { return }
                }
            }
            _ = try await client.create(Self.configMap("w"))
            _ = try await client.patch(ConfigMap.self, name: "w", namespace: "default", patch: .merge(["data": ["k": "2"]]))
            try await client.delete(ConfigMap.self, name: "w", namespace: "default")
            try await eventually("the DELETED event") { seen.withLock { $0.count } >= 3 }
            try await watcher.value
            #expect(seen.withLock { $0 } == ["ADDED w", "MODIFIED w 2", "DELETED w"])
        }
    }

    @Test func fromZeroStartsWithTheCurrentObjects() async throws {
        try await withSimulator { _, client in
            _ = try await client.create(Self.configMap("a"))
            _ = try await client.create(Self.configMap("b"))
            var names: [String] = []
            for try await update in client.watch(ConfigMap.self, namespace: "default", options: WatchOptions(resourceVersion: "0", timeoutSeconds: 1)) {
                if case .added(let object) = update { names.append(object.metadata.name!) }
            }
            #expect(names.sorted() == ["a", "b"])
        }
    }

    @Test func aServerSideTimeoutEndsTheSequenceAndTheWatchResumes() async throws {
        try await withSimulator { _, client in
            let list = try await client.list(ConfigMap.self, namespace: "default")
            var updates = 0
            // The server closes after timeoutSeconds: the sequence ends without an error.
            for try await _ in client.watch(ConfigMap.self, namespace: "default",
                                            options: WatchOptions(resourceVersion: list.metadata.resourceVersion, allowWatchBookmarks: false, timeoutSeconds: 1)) {
                updates += 1
            }
            #expect(updates == 0)
            _ = try await client.create(Self.configMap("after"))
            var resumed: [String] = []
            for try await update in client.watch(ConfigMap.self, namespace: "default",
                                                 options: WatchOptions(resourceVersion: list.metadata.resourceVersion, timeoutSeconds: 1)) {
                if let line = Self.summary(update) { resumed.append(line) }
            }
            #expect(resumed == ["ADDED after"])
        }
    }

    @Test func tooOldAResourceVersionIsExpiredSoTheCallerRelists() async throws {
        try await withSimulator { _, client in
            let list = try await client.list(ConfigMap.self, namespace: "default")
            try await client.injectFaults(["expireWatchResumes": 1])
            let error = await #expect(throws: KubeError.self) {
                for try await _ in client.watch(ConfigMap.self, namespace: "default",
                                                options: WatchOptions(resourceVersion: list.metadata.resourceVersion, timeoutSeconds: 5)) {}
            }
            #expect(error?.isExpired == true)
            // Relist, then watch from the new version: works again.
            let relisted = try await client.list(ConfigMap.self, namespace: "default")
            var count = 0
            for try await _ in client.watch(ConfigMap.self, namespace: "default",
                                            options: WatchOptions(resourceVersion: relisted.metadata.resourceVersion, timeoutSeconds: 1)) {
                count += 1
            }
            #expect(count >= 0)
        }
    }

    @Test func cancellingTheConsumerEndsTheWatchPromptly() async throws {
        try await withSimulator { _, client in
            let started = Mutex(false)
            let watcher = Task {
                for try await _ in client.watch(ConfigMap.self, namespace: "default", options: WatchOptions(resourceVersion: "0", timeoutSeconds: 300)) {
                    started.withLock { $0 = true }
                }
            }
            _ = try await client.create(Self.configMap("x"))
            try await eventually("the watch to deliver") { started.withLock { $0 } }
            let cancelled = ContinuousClock.now
            watcher.cancel()
            _ = await watcher.result
            #expect(ContinuousClock.now - cancelled < .seconds(5))
        }
    }

    /// More watches than HTTP/1's usual eight connections per host, all live at once.
    @Test func manyConcurrentWatchesDoNotQueue() async throws {
        try await withSimulator { _, client in
            let list = try await client.list(ConfigMap.self, namespace: "default")
            let delivered = Box(0)
            let watchers = (0..<24).map { _ in
                Task {
                    for try await update in client.watch(ConfigMap.self, namespace: "default",
                                                         options: WatchOptions(resourceVersion: list.metadata.resourceVersion, timeoutSeconds: 60)) {
                        // Keep consuming: every watch holds its connection for the whole test.
                        if case .added = update { delivered.update { $0 += 1 } }
                    }
                }
            }
            // Each watch resumes from the list's version, so it sees the change whenever it connects;
            // with a cap of 8 connections the other 16 would never connect while the first 8 hold theirs.
            _ = try await client.create(Self.configMap("broadcast"))
            try await eventually(within: 15, "all 24 watches to see the change") { delivered.get == 24 }
            for watcher in watchers { watcher.cancel() }
            for watcher in watchers { _ = await watcher.result }
        }
    }
}
