import Cutover
@testable import CutoverController
import Foundation
import KubeAPI
import KubeModels
import SimulatorHarness
import Testing

/// Notifications against a real HTTP receiver on loopback, the controller in-process on KubeSim.
@Suite("Notifications", .serialized, .timeLimit(.minutes(3)))
struct NotificationTests {
    typealias F = WebhookFixtures

    static func targets(_ formats: [(String, String)], timeout: String = "10s") -> JSONValue {
        .array(formats.map { name, format in
            ["name": .string(name), "format": .string(format), "timeout": .string(timeout),
             "urlSecret": ["name": .string(F.secret), "key": .string(name)]]
        })
    }

    static let manualCanary: JSONValue = ["canary": ["steps": [["weight": 50]]], "approval": "Manual", "holdWindow": "1s"]

    /// The JSON bodies received on `path`, answered 2xx, in order.
    static func delivered(_ receiver: WebhookReceiver, _ path: String) -> [JSONValue] {
        receiver.requests(to: path).filter { (200..<300).contains($0.answered) }.compactMap(\.json)
    }

    @Test func everyReleaseEventArrivesInBothFormatsInOrder() async throws {
        try await F.withReceiver { receiver in try await withControllerCluster { _, client, controllers in
            try await controllers.start()
            try await F.prepare(client, urls: ["json": receiver.baseURL + "/json", "slack": receiver.baseURL + "/slack"])
            let notifications = Self.targets([("json", "JSON"), ("slack", "Slack")])
            _ = try await client.create(try F.rollout(image: "web:1", strategy: Self.manualCanary, extra: ["notifications": notifications]))
            let first = try await ReleaseTests.waitHealthy(client)
            _ = try await client.patch(
                Rollout.self, name: "web", namespace: F.namespace,
                patch: .merge(["spec": ["template": ["spec": ["containers": [["name": "app", "image": "web:2"]]]]]]))
            try await eventually(within: 30, "the release to wait for approval") {
                try await F.current(client).status?.phase == .awaitingApproval
            }
            _ = try await client.patch(
                Rollout.self, name: "web", namespace: F.namespace, patch: .merge(["metadata": ["annotations": [CutoverLabels.promote: "1"]]]))
            let second = try await ReleaseTests.waitHealthy(client, notRevision: first.status?.activeRevision)
            try await F.waitOutboxEmpty(client)

            let json = Self.delivered(receiver, "/json")
            #expect(json.compactMap { $0["event"]?.stringValue } == ["Started", "Completed", "Started", "StepReached", "AwaitingApproval", "CutOver", "Completed"])
            #expect(json.compactMap { $0["id"]?.intValue } == Array(1...7), "ids in order, each once")
            let v1 = try #require(first.status?.activeRevision), v2 = try #require(second.status?.activeRevision)
            #expect(json.compactMap { $0["revision"]?.stringValue } == [v1, v1, v2, v2, v2, v2, v2])
            let step = try #require(json.first { $0["event"]?.stringValue == "StepReached" })
            #expect(step["weight"]?.intValue == 50)
            #expect(step["step"]?.intValue == 1)
            #expect(step["blueRevision"]?.stringValue == v1)
            #expect(step["rollout"]?.stringValue == "web")
            #expect(step["namespace"]?.stringValue == F.namespace)
            let uid = try #require(second.metadata.uid)
            #expect(step["deliveryID"]?.stringValue == "\(uid)/\(step["id"]?.intValue ?? 0)")
            #expect(json.last?["message"]?.stringValue == "\(v2) is the active revision")

            let slack = Self.delivered(receiver, "/slack")
            #expect(slack.count == 7)
            let texts = slack.compactMap { $0["text"]?.stringValue }
            #expect(texts.count == 7, "Slack bodies are {\"text\": ...}")
            #expect(texts[4].hasPrefix(":raised_hand: *\(F.namespace)/web* AwaitingApproval: waiting for cutover.dev/promote: ManualApproval"))
            #expect(texts[6].contains("revision `\(v2)`, blue `\(v1)`"))
            let headers = try #require(receiver.requests(to: "/slack").first?.headers)
            #expect(headers["content-type"] == "application/json")
            #expect(headers["x-cutover-event"] == "Started")
        } }
    }

    @Test func aFailedAttemptIsRetriedAndARevertCarriesItsReason() async throws {
        // Every first attempt of an event fails with 500: each event arrives exactly twice.
        try await F.withReceiver({ _, earlier in earlier % 2 == 0 ? .init(status: 500, body: "try later") : .init() }) { receiver in
        try await withControllerCluster { _, client, controllers in
            try await controllers.start()
            try await F.prepare(client, urls: ["json": receiver.baseURL + "/json"])
            let strategy: JSONValue = ["canary": ["steps": [["weight": 50, "pause": "1h"]]]]
            _ = try await client.create(try F.rollout(image: "web:1", strategy: strategy, extra: ["notifications": Self.targets([("json", "JSON")])]))
            _ = try await ReleaseTests.waitHealthy(client)
            _ = try await client.patch(
                Rollout.self, name: "web", namespace: F.namespace,
                patch: .merge(["spec": ["template": ["spec": ["containers": [["name": "app", "image": "web:2"]]]]]]))
            try await eventually(within: 30, "the canary step") { try await F.current(client).status?.phase == .canary }
            _ = try await client.patch(
                Rollout.self, name: "web", namespace: F.namespace, patch: .merge(["metadata": ["annotations": [CutoverLabels.abort: "1"]]]))
            try await eventually(within: 30, "the revert") { try await F.current(client).status?.phase == .rolledBack }
            try await F.waitOutboxEmpty(client)

            let all = receiver.requests(to: "/json")
            let byID = Dictionary(grouping: all.compactMap { $0.json?["id"]?.intValue }, by: { $0 })
            #expect(byID.values.allSatisfy { $0.count == 2 }, "one failed and one successful attempt per event: \(byID)")
            let events = Self.delivered(receiver, "/json")
            #expect(events.compactMap { $0["event"]?.stringValue } == ["Started", "Completed", "Started", "StepReached", "RolledBack"])
            #expect(events.last?["reason"]?.stringValue == "Aborted")
        } }
    }

    @Test func aRestartedControllerSendsWhatIsLeftAndNothingTwice() async throws {
        try await F.withReceiver { receiver in try await withControllerCluster { _, client, controllers in
            try await controllers.start()
            try await F.prepare(client, urls: ["json": receiver.baseURL + "/json"])
            let strategy: JSONValue = ["canary": ["steps": [["weight": 50, "pause": "1s"]]], "holdWindow": "1s"]
            _ = try await client.create(
                try F.rollout(image: "web:1", strategy: strategy, extra: ["notifications": Self.targets([("json", "JSON")], timeout: "20s")]))
            let first = try await ReleaseTests.waitHealthy(client)
            try await F.waitOutboxEmpty(client)
            #expect(Self.delivered(receiver, "/json").count == 2)

            // The receiver hangs (then fails); the release goes on; its events wait in the outbox.
            receiver.respond { _, _ in .init(status: 503, body: "down", delay: .seconds(30)) }
            _ = try await client.patch(
                Rollout.self, name: "web", namespace: F.namespace,
                patch: .merge(["spec": ["template": ["spec": ["containers": [["name": "app", "image": "web:2"]]]]]]))
            _ = try await ReleaseTests.waitHealthy(client, notRevision: first.status?.activeRevision)
            let waiting = try await F.current(client).status?.notifications?.pending.count ?? 0
            #expect(waiting >= 3, "the release did not wait for the receiver")

            await controllers.stopAll()
            receiver.respond { _, _ in .init() }
            try await controllers.start()
            try await F.waitOutboxEmpty(client)

            let events = Self.delivered(receiver, "/json")
            let ids = events.compactMap { $0["id"]?.intValue }
            #expect(ids == Array(1...Int64(ids.count)), "every event delivered once, in order: \(ids)")
            #expect(events.compactMap { $0["event"]?.stringValue } == ["Started", "Completed", "Started", "StepReached", "CutOver", "Completed"])
        } }
    }

    @Test func aReceiverThatHangsDoesNotDelayTheRelease() async throws {
        try await F.withReceiver({ _, _ in .init(delay: .seconds(120)) }) { receiver in
        try await withControllerCluster { _, client, controllers in
            try await controllers.start()
            try await F.prepare(client, urls: ["json": receiver.baseURL + "/json"])
            let strategy: JSONValue = ["holdWindow": "0s"]
            let started = ContinuousClock.now
            _ = try await client.create(
                try F.rollout(image: "web:1", strategy: strategy, extra: ["notifications": Self.targets([("json", "JSON")], timeout: "60s")]))
            _ = try await ReleaseTests.waitHealthy(client)
            #expect(ContinuousClock.now - started < .seconds(60), "Healthy before the first attempt could even time out")
            let pending = try await F.current(client).status?.notifications?.pending ?? []
            #expect(pending.map(\.event.type) == [.started, .completed])
        } }
    }
}
