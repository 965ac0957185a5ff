import Cutover
import Foundation
import KubeAPI
import KubeModels
import SimulatorHarness
import Testing

/// Rollouts with notifications and gate hooks, and the Secret their URLs come from.
enum WebhookFixtures {
    static let namespace = ReleaseTests.namespace
    static let secret = "webhooks"

    /// The Rollout `web` (2 replicas, pods ready after 300 ms) with `extra` merged into its spec.
    static func rollout(image: String, strategy: JSONValue, extra: [String: JSONValue]) throws -> Rollout {
        var spec: [String: JSONValue] = [
            "replicas": 2, "selector": ["matchLabels": ["app": "web"]],
            "template": [
                "metadata": ["labels": ["app": "web"], "annotations": ["sim.cutover.dev/ready-after": "300ms"]],
                "spec": ["containers": [["name": "app", "image": .string(image)]]],
            ],
            "progressDeadlineSeconds": 60, "services": ["active": "web", "preview": "web-preview"], "strategy": strategy,
        ]
        for (key, value) in extra { spec[key] = value }
        let object: JSONValue = [
            "apiVersion": "cutover.dev/v1alpha1", "kind": "Rollout",
            "metadata": ["name": "web", "namespace": .string(namespace)], "spec": .object(spec),
        ]
        return try JSONDecoder().decode(Rollout.self, from: JSONEncoder().encode(object))
    }

    /// The Services `web` and `web-preview` and the Secret holding `urls` by key.
    static func prepare(_ client: KubeClient, urls: [String: String]) async throws {
        try await ReleaseTests.createService(client)
        _ = try await client.create(
            Service(
                metadata: ObjectMeta(name: "web-preview", namespace: namespace),
                spec: ServiceSpec(selector: ["app": "web"], ports: [ServicePort(name: "http", port: 8080)])))
        _ = try await client.create(
            Secret(metadata: ObjectMeta(name: secret, namespace: namespace), data: urls.mapValues { Data($0.utf8).base64EncodedString() }))
    }

    /// Runs `body` with a receiver on a free loopback port, stopped afterwards.
    static func withReceiver<T: Sendable>(
        _ responder: @escaping WebhookReceiver.Responder = { _, _ in .init() }, _ body: (WebhookReceiver) async throws -> T
    ) async throws -> T {
        let receiver = try await WebhookReceiver(responder: responder)
        do {
            let result = try await body(receiver)
            await receiver.stop()
            return result
        } catch {
            await receiver.stop()
            throw error
        }
    }

    static func current(_ client: KubeClient) async throws -> Rollout {
        try await client.get(Rollout.self, name: "web", namespace: namespace)
    }

    /// Waits until the outbox in status is empty (every event delivered or given up).
    static func waitOutboxEmpty(_ client: KubeClient, within seconds: Double = 30) async throws {
        try await eventually(within: seconds, "the notification outbox to empty") {
            let rollout = try await current(client)
            return rollout.status?.notifications?.pending.isEmpty ?? false
        }
    }
}
