import ClusterHarness
import Cutover
@testable import CutoverController
import Foundation
import KubeAPI
import KubeModels
import SimulatorHarness
import Testing

/// What comes from a Secret (a notification URL with its token, a hook URL, a malformed URL, a
/// Prometheus bearer token) never shows in the controller's log at debug level, in Events, in the
/// Rollout's status or in what it sends — through failing deliveries, a failing hook and failing
/// measurements, where error messages are written.
@Suite("Secrets stay secret", .serialized, .timeLimit(.minutes(2)))
struct SecretLeakTests {
    static let tokens = ["SECRET-NOTIFY-7f3a", "SECRET-HOOK-91bc", "SECRET-BAD-URL-55e1", "SECRET-PROM-TOKEN-c0de"]

    @Test func noSecretValueLeavesTheSecret() async throws {
        try await WebhookFixtures.withReceiver({ path, _ in .init(status: 500, body: "receiver down: \(path.count) bytes of path") }) { receiver in
            try await withBinaryCluster { _, client, kubeconfig in
                try await WebhookFixtures.prepare(client, urls: [
                    "notify": receiver.baseURL + "/notify/SECRET-NOTIFY-7f3a",
                    "pre": receiver.baseURL + "/pre/SECRET-HOOK-91bc",
                    "bad": "ftp://SECRET-BAD-URL-55e1/x",
                    "token": "SECRET-PROM-TOKEN-c0de",
                ])
                let closed = try freeLoopbackPort()
                let notifications: JSONValue = [
                    ["name": "team", "urlSecret": ["name": "webhooks", "key": "notify"], "timeout": "2s"],
                    ["name": "broken", "urlSecret": ["name": "webhooks", "key": "bad"], "timeout": "2s"],
                ]
                let analysis: JSONValue = [
                    "prometheus": ["address": .string("http://127.0.0.1:\(closed)"), "timeout": "1s", "bearerTokenSecret": ["name": "webhooks", "key": "token"]],
                    "interval": "1s", "metrics": [["name": "error-rate", "query": "up", "max": 1, "errorLimit": 1]],
                ]
                let canary: JSONValue = ["canary": ["steps": [["weight": 50, "pause": "1s"]]], "holdWindow": "1s"]
                let controller = try ControllerProcess(arguments: [
                    "--kubeconfig", kubeconfig, "--leader-elect", "off", "--health-address", "", "--metrics-address", "",
                    "--log-level", "debug",
                ])
                _ = try await client.create(try WebhookFixtures.rollout(image: "web:1", strategy: canary, extra: ["notifications": notifications]))
                try await eventually(within: 40, "the first revision") { try await WebhookFixtures.current(client).status?.phase == .healthy }

                // Measurements fail against Prometheus (with the token): reverted for AnalysisError.
                var second = try WebhookFixtures.rollout(image: "web:2", strategy: canary, extra: ["notifications": notifications, "analysis": analysis])
                second.metadata.resourceVersion = try await WebhookFixtures.current(client).metadata.resourceVersion
                _ = try await client.replace(second)
                try await eventually(within: 40, "the analysis revert") { try await WebhookFixtures.current(client).status?.phase == .rolledBack }

                // A failing preCutover hook (from the Secret): reverted for PreCutoverHookFailed.
                let hooks: JSONValue = ["preCutover": ["urlSecret": ["name": "webhooks", "key": "pre"], "timeout": "2s", "retries": 1]]
                var third = try WebhookFixtures.rollout(image: "web:3", strategy: ["holdWindow": "1s"], extra: ["notifications": notifications, "hooks": hooks])
                third.metadata.resourceVersion = try await WebhookFixtures.current(client).metadata.resourceVersion
                _ = try await client.replace(third)
                try await eventually(within: 40, "the hook revert") {
                    try await WebhookFixtures.current(client).status?.abort?.reason == "PreCutoverHookFailed"
                }
                // Deliveries to both targets failed (their messages are where a URL could slip in).
                try await eventually(within: 60, "failed deliveries to both targets") {
                    let messages = try await client.list(Event.self, namespace: WebhookFixtures.namespace).items.compactMap(\.message)
                    return messages.contains { $0.contains("to team failed") } && messages.contains { $0.contains("to broken failed") }
                }

                let rollout = try await WebhookFixtures.current(client)
                let status = String(decoding: try JSONEncoder().encode(rollout.status), as: UTF8.self)
                let events = try await client.list(Event.self, namespace: WebhookFixtures.namespace).items
                    .map { "\($0.reason ?? "") \($0.message ?? "")" }.joined(separator: "\n")
                let sent = receiver.requests.map { String(decoding: $0.body, as: UTF8.self) }.joined(separator: "\n")
                controller.kill()
                let log = try String(contentsOf: controller.log, encoding: .utf8)
                // Each path was exercised: deliveries and the hook failed, the measurement erred.
                #expect(events.contains("NotificationFailed"))
                #expect(rollout.status?.abort?.message?.contains("HTTP 500") == true)
                #expect(status.contains("AnalysisError") || log.contains("measurement failed"))
                for token in Self.tokens {
                    #expect(!log.contains(token), "the controller log shows \(token)")
                    #expect(!events.contains(token), "an Event shows \(token)")
                    #expect(!status.contains(token), "status shows \(token)")
                    #expect(!sent.contains(token), "a request body shows \(token)")
                }
            }
        }
    }
}
