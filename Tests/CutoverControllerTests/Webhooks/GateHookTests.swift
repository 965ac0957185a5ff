import Cutover
@testable import CutoverController
import Foundation
import KubeAPI
import KubeModels
import SimulatorHarness
import Testing

/// preCutover and postCutover hooks against a real HTTP receiver, the controller in-process.
@Suite("Gate hooks", .serialized, .timeLimit(.minutes(3)))
struct GateHookTests {
    typealias F = WebhookFixtures

    static func hooks(_ receiver: WebhookReceiver, retries: Int = 1) -> JSONValue {
        [
            "preCutover": ["url": .string(receiver.baseURL + "/pre"), "timeout": "30s", "retries": .int(Int64(retries))],
            "postCutover": ["urlSecret": ["name": .string(F.secret), "key": "post"], "timeout": "30s", "retries": .int(Int64(retries))],
        ]
    }

    static let canary: JSONValue = ["canary": ["steps": [["weight": 50, "pause": "1s"]]], "holdWindow": "1s"]

    /// Creates `web` at web:1 with the hooks, waits until Healthy, then releases web:2.
    static func release(_ client: KubeClient, _ receiver: WebhookReceiver) async throws -> Rollout {
        try await F.prepare(client, urls: ["post": receiver.baseURL + "/post"])
        _ = try await client.create(try F.rollout(image: "web:1", strategy: canary, extra: ["hooks": hooks(receiver)]))
        let first = try await ReleaseTests.waitHealthy(client)
        #expect(receiver.requests.isEmpty, "a first revision calls no hook")
        _ = try await client.patch(
            Rollout.self, name: "web", namespace: F.namespace,
            patch: .merge(["spec": ["template": ["spec": ["containers": [["name": "app", "image": "web:2"]]]]]]))
        return first
    }

    @Test func passingHooksLetTheReleaseCutOverAndComplete() async throws {
        try await F.withReceiver { receiver in try await withControllerCluster { _, client, controllers in
            try await controllers.start()
            let first = try await Self.release(client, receiver)
            let done = try await ReleaseTests.waitHealthy(client, notRevision: first.status?.activeRevision)
            let green = try #require(done.status?.activeRevision), blue = try #require(first.status?.activeRevision)

            let pre = try #require(receiver.requests(to: "/pre").first?.json)
            #expect(pre["hook"]?.stringValue == "preCutover")
            #expect(pre["revision"]?.stringValue == green)
            #expect(pre["blueRevision"]?.stringValue == blue)
            #expect(pre["rollout"]?.stringValue == "web")
            #expect(pre["namespace"]?.stringValue == F.namespace)
            #expect(pre["images"]?.arrayValue?.compactMap(\.stringValue) == ["app=web:2"])
            #expect(pre["previewURL"]?.stringValue == "http://web-preview.\(F.namespace).svc.cluster.local:8080")
            #expect(receiver.requests(to: "/post").first?.json?["hook"]?.stringValue == "postCutover")
            #expect(receiver.requests.count == 2, "one call each")

            let hooks = try #require(done.status?.hooks)
            #expect(hooks.map(\.name) == [.preCutover, .postCutover])
            #expect(hooks.allSatisfy { $0.phase == .passed && $0.attempts == 1 && $0.message == "HTTP 200: ok" })
            let record = try #require(done.status?.history?.last)
            #expect(record.outcome == .promoted)
            #expect(record.timeline.map(\.type) == [.started, .stepReached, .hookPassed, .cutOver, .hookPassed, .completed])
            let cutover = try #require(record.timeline.first { $0.type == .cutOver }?.at)
            let prePassed = try #require(record.timeline.first { $0.type == .hookPassed }?.at)
            #expect(prePassed <= cutover)
        } }
    }

    @Test func aFailingPreCutoverHookRevertsWithItsAnswerAndGreenNeverServes() async throws {
        try await F.withReceiver({ path, _ in
            path == "/pre" ? .init(status: 500, body: "smoke test failed: checkout returned 502") : .init()
        }) { receiver in try await withControllerCluster { _, client, controllers in
            try await controllers.start()
            let monitor = ReleaseMonitor()
            let watching = Task { await monitor.watch(client: client, rollout: "web", service: "web", namespace: F.namespace) }
            defer { watching.cancel() }
            let first = try await Self.release(client, receiver)
            try await eventually(within: 40, "the revert") { try await F.current(client).status?.phase == .rolledBack }
            let rollout = try await F.current(client)
            let abort = try #require(rollout.status?.abort)
            #expect(abort.reason == "PreCutoverHookFailed")
            #expect(abort.message == "preCutover hook failed after 2 attempts: HTTP 500: smoke test failed: checkout returned 502")
            #expect(receiver.requests(to: "/pre").count == 2, "retries: 1")
            #expect(receiver.requests(to: "/post").isEmpty)
            #expect(rollout.status?.history?.last?.outcome == .rolledBack)
            #expect(rollout.status?.history?.last?.reason == "PreCutoverHookFailed")
            let blue = try #require(first.status?.activeRevision)
            let service = try await client.get(Service.self, name: "web", namespace: F.namespace)
            #expect(service.spec?.selector?[CutoverLabels.revision] == blue)
            #expect(monitor.snapshot.selectedRevisions.allSatisfy { $0 == blue }, "the active Service never selected green alone")
        } }
    }

    /// A hook pointed at the cloud metadata endpoint is never called: the release reverts, and the
    /// condition names the outbound policy's rule.
    @Test func aHookTheOutboundPolicyRefusesRevertsNamingTheRule() async throws {
        try await withControllerCluster { _, client, controllers in
            try await controllers.start()
            try await F.prepare(client, urls: [:])
            let hooks: JSONValue = ["preCutover": ["url": "http://169.254.169.254/latest/meta-data/iam/", "timeout": "30s", "retries": 3]]
            _ = try await client.create(try F.rollout(image: "web:1", strategy: Self.canary, extra: ["hooks": hooks]))
            let first = try await ReleaseTests.waitHealthy(client)
            _ = try await client.patch(
                Rollout.self, name: "web", namespace: F.namespace,
                patch: .merge(["spec": ["template": ["spec": ["containers": [["name": "app", "image": "web:2"]]]]]]))
            try await eventually(within: 40, "the revert") { try await F.current(client).status?.phase == .rolledBack }
            let rollout = try await F.current(client)
            let rule = "refused by the outbound policy: 169.254.169.254 is denied by 169.254.0.0/16 (link-local, cloud instance metadata)"
            #expect(rollout.status?.abort?.message == "preCutover hook failed after 1 attempt: \(rule)")
            let condition = rollout.status?.conditions?.first { $0.type == "RolledBack" }
            #expect(condition?.status == "True")
            #expect(condition?.message?.contains(rule) == true, "\(condition?.message ?? "-")")
            let service = try await client.get(Service.self, name: "web", namespace: F.namespace)
            #expect(service.spec?.selector?[CutoverLabels.revision] == first.status?.activeRevision)
        }
    }

    @Test func aFailingPostCutoverHookPutsTrafficBackOnBlue() async throws {
        try await F.withReceiver({ path, _ in path == "/post" ? .init(status: 503, body: "error budget burned") : .init() }) { receiver in
            try await withControllerCluster { _, client, controllers in
                try await controllers.start()
                let first = try await Self.release(client, receiver)
                try await eventually(within: 40, "the revert") { try await F.current(client).status?.phase == .rolledBack }
                let rollout = try await F.current(client)
                #expect(rollout.status?.abort?.reason == "PostCutoverHookFailed")
                #expect(rollout.status?.abort?.message == "postCutover hook failed after 2 attempts: HTTP 503: error budget burned")
                let blue = try #require(first.status?.activeRevision)
                #expect(rollout.status?.activeRevision == blue)
                let service = try await client.get(Service.self, name: "web", namespace: F.namespace)
                #expect(service.spec?.selector?[CutoverLabels.revision] == blue)
                let blueDeployment = try await ReleaseTests.deployment(client, revision: blue)
                #expect(blueDeployment?.spec?.replicas == 2, "blue was never scaled down")
            }
        }
    }
}
