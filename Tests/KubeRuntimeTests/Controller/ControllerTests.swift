import KubeAPI
import KubeModels
import KubeSim
import SimulatorHarness
import Testing

@testable import KubeRuntime

/// The generic controller, driving the toy ``CopyReconciler`` against KubeSim.
@Suite struct ControllerTests {
    static let namespace = "default"

    static func source(_ name: String, data: [String: String] = ["greeting": "hello"]) -> ConfigMap {
        ConfigMap(metadata: ObjectMeta(name: name, namespace: namespace, labels: ["toy/role": "source"]), data: data)
    }

    static func key(_ name: String) -> ObjectKey { ObjectKey(namespace: namespace, name: name) }

    /// Runs a controller of the toy reconciler while `body` runs; stops it (as a shutdown would) after.
    static func withToyController<T>(
        backoff: Backoff = Backoff(initial: .milliseconds(40), maximum: .seconds(5)),
        _ body: (KubeClient, Controller<CopyReconciler>, ReconcileLog) async throws -> T
    ) async throws -> T {
        try await withRuntimeSimulator { _, client in
            let log = ReconcileLog()
            let controller = Controller(CopyReconciler(client: client, log: log), configuration: .init(workers: 2, backoff: backoff))
            let running = Task { try await controller.run() }
            do {
                try await eventually("the caches to sync") { controller.hasSynced }
                let result = try await body(client, controller, log)
                running.cancel()
                try await running.value
                return result
            } catch {
                log.gate.open()
                running.cancel()
                _ = try? await running.value
                throw error
            }
        }
    }

    static func copy(_ client: KubeClient, of name: String) async throws -> ConfigMap? {
        do {
            return try await client.get(ConfigMap.self, name: "\(name)-copy", namespace: namespace)
        } catch let error as KubeError where error.isNotFound {
            return nil
        }
    }

    @Test func objectsListedFirstAndCreatedLaterAreReconciled() async throws {
        try await withRuntimeSimulator { _, client in
            _ = try await client.create(Self.source("early"))
            let log = ReconcileLog()
            let controller = Controller(CopyReconciler(client: client, log: log))
            let running = Task { try await controller.run() }
            defer { running.cancel() }
            try await eventually("the copy of an object that existed before the start") {
                try await Self.copy(client, of: "early")?.data == ["greeting": "hello", "copied-from": "early"]
            }
            _ = try await client.create(Self.source("late", data: ["x": "1"]))
            try await eventually("the copy of a new object") { try await Self.copy(client, of: "late")?.data?["x"] == "1" }
        }
    }

    @Test func aChangeOfAnOwnedObjectWakesItsOwner() async throws {
        try await Self.withToyController { client, _, log in
            _ = try await client.create(Self.source("web"))
            try await eventually("the copy") { try await Self.copy(client, of: "web") != nil }
            let before = log.starts(of: Self.key("web")).count

            // Someone edits the copy: the owner is reconciled and puts it right.
            var edited = try #require(try await Self.copy(client, of: "web"))
            edited.data?["greeting"] = "tampered"
            _ = try await client.replace(edited)
            try await eventually("the copy repaired") { try await Self.copy(client, of: "web")?.data?["greeting"] == "hello" }
            #expect(log.starts(of: Self.key("web")).count > before)

            // Someone deletes it: it is made again.
            try await client.delete(ConfigMap.self, name: "web-copy", namespace: Self.namespace)
            try await eventually("the copy made again") {
                let copy = try await Self.copy(client, of: "web")
                return copy != nil && copy?.metadata.uid != edited.metadata.uid
            }
        }
    }

    @Test func aRequeueAfterLooksAgainWithoutAnyChange() async throws {
        let time = ManualTimeSource()
        try await withRuntimeSimulator { _, client in
            let log = ReconcileLog()
            let controller = Controller(CopyReconciler(client: client, log: log), configuration: .init(workers: 2, time: time))
            let running = Task { try await controller.run() }
            defer { running.cancel() }
            let key = Self.key("ticking")
            _ = try await client.create(Self.source("ticking", data: ["requeue-ms": "30000"]))
            // Settled: the copy is made and cached, nothing is queued or running, one look is scheduled.
            try await eventually("the key to wait for its requeue") {
                let copied = controller.reconciler.copies.get(name: "ticking-copy", namespace: Self.namespace) != nil
                let queue = controller.queue
                let (depth, busy, delayed) = (await queue.depth, await queue.processingCount, await queue.delayedCount)
                return copied && depth == 0 && busy == 0 && delayed == 1
            }
            let before = log.starts(of: key).count
            time.advance(by: .seconds(30))
            try await eventually("a look once the requeue's time has come") { log.starts(of: key).count > before }
            try await eventually("the next look scheduled again") { await controller.queue.delayedCount == 1 }
        }
    }

    @Test func aFailingReconcileIsRetriedWithGrowingBackoff() async throws {
        let backoff = Backoff(initial: .milliseconds(40), maximum: .seconds(5))
        try await Self.withToyController(backoff: backoff) { client, controller, log in
            _ = try await client.create(Self.source("flaky", data: ["fail-times": "3", "greeting": "hi"]))
            try await eventually("the copy after three failures") { try await Self.copy(client, of: "flaky") != nil }
            let starts = log.starts(of: Self.key("flaky"))
            #expect(starts.count >= 4)
            // Retries 1, 2 and 3 wait 40, 80 and 160 ms at least.
            for retry in 1...3 {
                let gap = starts[retry] - starts[retry - 1]
                #expect(gap >= backoff.delay(attempt: retry), "retry \(retry) came after \(gap)")
            }
            // A success forgets the failures.
            try await eventually("the failures forgotten") { await controller.queue.failureCount(Self.key("flaky")) == 0 }
        }
    }

    @Test func aTerminalErrorIsNotRetriedUntilTheObjectChanges() async throws {
        try await Self.withToyController { client, controller, log in
            let created = try await client.create(Self.source("refused", data: ["terminal": "yes"]))
            let key = Self.key("refused")
            try await eventually("the refused reconcile to finish") { log.finishes(of: key) == 1 }
            try await eventually("the queue to be done with it") { await controller.queue.processingCount == 0 }
            // Nothing is scheduled for it: no retry will come.
            #expect(await controller.queue.failureCount(key) == 0)
            #expect(await controller.queue.delayedCount == 0)
            #expect(await controller.queue.depth == 0)
            #expect(log.starts(of: key).count == 1)

            var fixed = created
            fixed.data = ["greeting": "fixed"]
            _ = try await client.replace(fixed)
            try await eventually("the copy once fixed") { try await Self.copy(client, of: "refused")?.data?["greeting"] == "fixed" }
        }
    }

    @Test func aShutdownLetsTheReconcileInFlightFinishUncancelled() async throws {
        try await withRuntimeSimulator { _, client in
            let log = ReconcileLog()
            let controller = Controller(CopyReconciler(client: client, log: log))
            let running = Task { try await controller.run() }
            _ = try await client.create(Self.source("slow", data: ["block": "yes"]))
            try await eventually("the reconcile to wait at the gate") { log.gate.waiting == 1 }

            running.cancel()
            log.note("shutdown asked")
            log.gate.open()
            try await running.value
            log.note("run returned")

            // The reconcile went on after the shutdown: its write reached the server, uncancelled.
            #expect(log.cancelledReconciles == 0)
            #expect(try await Self.copy(client, of: "slow") != nil)
            #expect(log.events.suffix(3) == ["shutdown asked", "finished slow", "run returned"])
        }
    }
}
