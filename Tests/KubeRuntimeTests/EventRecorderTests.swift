import KubeAPI
import KubeModels
import KubeSim
import SimulatorHarness
import Testing
@testable import KubeRuntime

/// Events as `kubectl describe` finds them: aggregated, attributed, and never thrown at the caller.
@Suite struct EventRecorderTests {
    /// The query `kubectl describe` sends for an object's events.
    static func describeEvents(_ client: KubeClient, for object: ConfigMap) async throws -> [Event] {
        let selector = "involvedObject.name=\(object.metadata.name!),involvedObject.namespace=default,"
            + "involvedObject.kind=ConfigMap,involvedObject.uid=\(object.metadata.uid!)"
        return try await client.list(Event.self, namespace: "default", options: ListOptions(fieldSelector: selector)).items
    }

    @Test func aRepeatedEventIsCountedOnOneEvent() async throws {
        try await withRuntimeSimulator { _, client in
            let web = try await client.create(ConfigMap(metadata: ObjectMeta(name: "web", namespace: "default")))
            let recorder = EventRecorder(client: client, component: "cutover-controller", instance: "pod-1")
            await recorder.record(on: web, type: .warning, reason: "AnalysisBreach", message: "error-rate 0.2 > 0.05")
            await recorder.record(on: web, type: .warning, reason: "AnalysisBreach", message: "error-rate 0.2 > 0.05")
            await recorder.record(on: web, type: .warning, reason: "AnalysisBreach", message: "error-rate 0.2 > 0.05")
            await recorder.record(on: web, reason: "Reverted", message: "traffic back on blue")
            let events = try await Self.describeEvents(client, for: web)
            #expect(events.count == 2)
            let breach = try #require(events.first { $0.reason == "AnalysisBreach" })
            #expect(breach.count == 3)
            #expect(breach.type == "Warning")
            #expect(breach.message == "error-rate 0.2 > 0.05")
            #expect(breach.source?.component == "cutover-controller")
            #expect(breach.source?.host == "pod-1")
            #expect(breach.reportingComponent == "cutover-controller")
            #expect(breach.involvedObject.uid == web.metadata.uid)
            #expect(breach.involvedObject.kind == "ConfigMap")
            let first = try #require(breach.firstTimestamp), last = try #require(breach.lastTimestamp)
            #expect(last >= first)
            #expect(events.first { $0.reason == "Reverted" }?.count == 1)
            #expect(await recorder.cachedCount == 2)
        }
    }

    @Test func aRepeatAfterTheWindowStartsANewEvent() async throws {
        try await withRuntimeSimulator { _, client in
            let web = try await client.create(ConfigMap(metadata: ObjectMeta(name: "web", namespace: "default")))
            let recorder = EventRecorder(client: client, component: "cutover-controller", aggregationWindow: .milliseconds(100))
            await recorder.record(on: web, reason: "Waiting", message: "green not ready")
            try await Task.sleep(for: .milliseconds(150))  // let the window pass (setup, not an assertion)
            await recorder.record(on: web, reason: "Waiting", message: "green not ready")
            let events = try await Self.describeEvents(client, for: web)
            #expect(events.count == 2)
            #expect(events.allSatisfy { $0.count == 1 })
        }
    }

    @Test func anEventDeletedOnTheServerIsCreatedAgain() async throws {
        try await withRuntimeSimulator { _, client in
            let web = try await client.create(ConfigMap(metadata: ObjectMeta(name: "web", namespace: "default")))
            let recorder = EventRecorder(client: client, component: "cutover-controller")
            await recorder.record(on: web, reason: "CutOver", message: "green serves 100%")
            let first = try #require(try await Self.describeEvents(client, for: web).first)
            try await client.delete(Event.self, name: first.metadata.name!, namespace: "default")
            await recorder.record(on: web, reason: "CutOver", message: "green serves 100%")
            let again = try await Self.describeEvents(client, for: web)
            #expect(again.count == 1)
            #expect(again.first?.count == 1)
        }
    }

    @Test func concurrentRepeatsAggregateIntoOneEvent() async throws {
        try await withRuntimeSimulator { _, client in
            let web = try await client.create(ConfigMap(metadata: ObjectMeta(name: "web", namespace: "default")))
            let recorder = EventRecorder(client: client, component: "cutover-controller")
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<5 { group.addTask { await recorder.record(on: web, reason: "Waiting", message: "green not ready") } }
            }
            let events = try await Self.describeEvents(client, for: web)
            #expect(events.count == 1)
            #expect(events.first?.count == 5)
        }
    }

    @Test func failuresAreLoggedNotThrownAndTheCacheIsBounded() async throws {
        try await withRuntimeSimulator { _, client in
            let recorder = EventRecorder(client: client, component: "cutover-controller", cacheCapacity: 2)
            // The namespace does not exist: the create fails, the caller carries on.
            let ghost = ConfigMap(metadata: ObjectMeta(name: "ghost", namespace: "nowhere"))
            await recorder.record(on: ghost, reason: "Created", message: "x")
            #expect(await recorder.cachedCount == 0)
            let web = try await client.create(ConfigMap(metadata: ObjectMeta(name: "web", namespace: "default")))
            for index in 0..<3 { await recorder.record(on: web, reason: "Step", message: "step \(index)") }
            #expect(await recorder.cachedCount == 2)
        }
    }

    @Test func aCreateThatFailedOnTheServerIsRetriedUnderItsName() async throws {
        try await withRuntimeSimulator { sim, client in
            let web = try await client.create(ConfigMap(metadata: ObjectMeta(name: "web", namespace: "default")))
            try await client.injectFaults(["rules": [["verb": "create", "resource": "events", "count": 2, "code": 500]]])
            let recorder = EventRecorder(client: client, component: "cutover-controller")
            await recorder.record(on: web, reason: "ReleaseStarted", message: "releasing")
            #expect(try await Self.describeEvents(client, for: web).map(\.reason) == ["ReleaseStarted"])
            #expect(await sim.requestCount(verb: "create", resource: "events") == 3, "two 500s, then the create")
        }
    }
}
