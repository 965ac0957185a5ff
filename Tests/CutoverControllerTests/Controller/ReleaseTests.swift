import ClusterHarness
import Cutover
@testable import CutoverController
import Foundation
import KubeAPI
import KubeModels
import KubeSim
import Testing

/// Whole releases: KubeSim with simulated workloads, the controller in-process, a user creating
/// and changing a Rollout through the API.
@Suite("Releases driven by the controller", .serialized, .timeLimit(.minutes(2)))
struct ReleaseTests {
    static let namespace = "default"

    static func rollout(
        image: String, podAnnotations: [String: String], progressDeadlineSeconds: Int, pause: String = "1s"
    ) throws -> Rollout {
        let annotations = try String(decoding: JSONEncoder().encode(podAnnotations), as: UTF8.self)
        let json = """
            {"apiVersion": "cutover.dev/v1alpha1", "kind": "Rollout",
             "metadata": {"name": "web", "namespace": "\(namespace)"},
             "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
               "template": {"metadata": {"labels": {"app": "web"}, "annotations": \(annotations)},
                            "spec": {"containers": [{"name": "app", "image": "\(image)"}]}},
               "progressDeadlineSeconds": \(progressDeadlineSeconds),
               "services": {"active": "web"},
               "strategy": {"canary": {"steps": [{"weight": 50, "pause": "\(pause)"}]}, "approval": "Automatic", "holdWindow": "1s"}}}
            """
        return try JSONDecoder().decode(Rollout.self, from: Data(json.utf8))
    }

    static func createService(_ client: KubeClient) async throws {
        _ = try await client.create(
            Service(
                metadata: ObjectMeta(name: "web", namespace: namespace),
                spec: ServiceSpec(selector: ["app": "web"], ports: [ServicePort(name: "http", port: 80)])))
    }

    /// Replaces the pod template through a merge patch, as `kubectl apply` of a new image would.
    static func changeTemplate(_ client: KubeClient, image: String, podAnnotations: [String: String]) async throws {
        let annotations = JSONValue.object(podAnnotations.mapValues { .string($0) })
        let patch: JSONValue = [
            "spec": ["template": [
                "metadata": ["annotations": annotations],
                "spec": ["containers": [["name": "app", "image": .string(image)]]],
            ]]
        ]
        _ = try await client.patch(Rollout.self, name: "web", namespace: namespace, patch: .merge(patch))
    }

    /// Waits until the Rollout is Healthy with the active Service on its active revision; returns it.
    static func waitHealthy(_ client: KubeClient, notRevision: String? = nil) async throws -> Rollout {
        try await eventually("the Rollout to be Healthy on a new active revision", timeout: .seconds(30)) {
            let rollout = try await client.get(Rollout.self, name: "web", namespace: namespace)
            let service = try await client.get(Service.self, name: "web", namespace: namespace)
            let status = rollout.status
            let selected = service.spec?.selector?[CutoverLabels.revision]
            let seen = "phase \(status?.phase?.rawValue ?? "-"), active \(status?.activeRevision ?? "-"), selector \(selected ?? "-"), message \(status?.message ?? "-")"
            guard status?.phase == .healthy, let active = status?.activeRevision, active != notRevision, selected == active,
                status?.observedGeneration == rollout.metadata.generation
            else { return (nil, seen) }
            return (rollout, seen)
        }
    }

    static func deployment(_ client: KubeClient, revision: String) async throws -> Deployment? {
        try await client.list(
            Deployment.self, namespace: namespace,
            options: ListOptions(labelSelector: "\(CutoverLabels.revision)=\(revision)")
        ).items.first
    }

    @Test func firstDeployThenACanaryReleaseCutsOverAndScalesBlueDown() async throws {
        try await withControllerCluster { _, client, controllers in
            let controller = try await controllers.start()
            let monitor = ReleaseMonitor()
            let watching = Task { await monitor.watch(client: client, rollout: "web", service: "web", namespace: Self.namespace) }
            defer { watching.cancel() }
            try await Self.createService(client)
            let ready = ["sim.cutover.dev/ready-after": "500ms"]
            _ = try await client.create(try Self.rollout(image: "example/web:1", podAnnotations: ready, progressDeadlineSeconds: 30))

            let first = try await Self.waitHealthy(client)
            let blue = try #require(first.status?.activeRevision)
            let blueDeployment = try #require(try await Self.deployment(client, revision: blue))
            #expect(blueDeployment.metadata.controllerReference?.uid == first.metadata.uid)
            #expect(blueDeployment.status?.readyReplicas == 2)

            try await Self.changeTemplate(client, image: "example/web:2", podAnnotations: ready)
            let second = try await Self.waitHealthy(client, notRevision: blue)
            let green = try #require(second.status?.activeRevision)
            _ = try await eventually("blue to be scaled to 0", timeout: .seconds(10)) {
                let replicas = try await Self.deployment(client, revision: blue)?.spec?.replicas
                return (replicas == 0 ? true : nil, "blue replicas \(replicas.map(String.init) ?? "gone")")
            }
            let greenDeployment = try #require(try await Self.deployment(client, revision: green))
            #expect(greenDeployment.spec?.template.spec?["containers"]?.arrayValue?.first?["image"]?.stringValue == "example/web:2")

            watching.cancel()
            await watching.value
            let seen = monitor.snapshot
            #expect(seen.violations.isEmpty, "\(seen.violations)")
            #expect(seen.phases.contains(.canary), "phases seen: \(seen.phases)")
            #expect(seen.phases.contains(.holdWindow), "phases seen: \(seen.phases)")
            #expect(seen.selectedRevisions.first == blue)
            #expect(seen.selectedRevisions.last == green)
            let deployments = try await client.list(
                Deployment.self, namespace: Self.namespace, options: ListOptions(labelSelector: CutoverLabels.rollout))
            #expect(deployments.items.count == 2, "one Deployment per revision, no duplicates")
            // Once the watch delivers the last status write, no assumed write is left to reconcile with it.
            _ = try await eventually("the assumed status writes to be delivered", timeout: .seconds(10)) {
                let left = controller.reconciler.rollouts.store(for: Self.namespace)?.assumedCount ?? -1
                return (left == 0 ? true : nil, "\(left) assumed")
            }
        }
    }

    @Test func aGreenThatNeverBecomesReadyIsRolledBackWithoutTraffic() async throws {
        try await withController { _, client in
            let monitor = ReleaseMonitor()
            let watching = Task { await monitor.watch(client: client, rollout: "web", service: "web", namespace: Self.namespace) }
            defer { watching.cancel() }
            try await Self.createService(client)
            _ = try await client.create(
                try Self.rollout(
                    image: "example/web:1", podAnnotations: ["sim.cutover.dev/ready-after": "500ms"], progressDeadlineSeconds: 3))
            let first = try await Self.waitHealthy(client)
            let blue = try #require(first.status?.activeRevision)

            try await Self.changeTemplate(client, image: "example/web:2", podAnnotations: ["sim.cutover.dev/never-ready": "true"])
            let rolledBack = try await eventually("the release to be rolled back", timeout: .seconds(20)) {
                let rollout = try await client.get(Rollout.self, name: "web", namespace: Self.namespace)
                let seen = "phase \(rollout.status?.phase?.rawValue ?? "-"), message \(rollout.status?.message ?? "-")"
                return (rollout.status?.phase == .rolledBack ? rollout : nil, seen)
            }
            #expect(rolledBack.status?.activeRevision == blue)
            let green = try #require(rolledBack.status?.rolledBackRevision)
            #expect(green != blue)
            let service = try await client.get(Service.self, name: "web", namespace: Self.namespace)
            #expect(service.spec?.selector?[CutoverLabels.revision] == blue)

            watching.cancel()
            await watching.value
            let seen = monitor.snapshot
            #expect(seen.violations.isEmpty, "\(seen.violations)")
            #expect(seen.selectedRevisions == [blue], "the active Service only ever selected blue")
            #expect(!seen.phases.contains(.canary), "no traffic step started: \(seen.phases)")
        }
    }

    @Test func aControllerStoppedMidCanaryIsReplacedAndTheReleaseContinues() async throws {
        try await withControllerCluster { _, client, controllers in
            try await controllers.start()
            let monitor = ReleaseMonitor()
            let watching = Task { await monitor.watch(client: client, rollout: "web", service: "web", namespace: Self.namespace) }
            defer { watching.cancel() }
            try await Self.createService(client)
            let ready = ["sim.cutover.dev/ready-after": "500ms"]
            _ = try await client.create(
                try Self.rollout(image: "example/web:1", podAnnotations: ready, progressDeadlineSeconds: 30, pause: "3s"))
            let blue = try #require(try await Self.waitHealthy(client).status?.activeRevision)

            try await Self.changeTemplate(client, image: "example/web:2", podAnnotations: ready)
            _ = try await eventually("the canary step to start", timeout: .seconds(15)) {
                let rollout = try await client.get(Rollout.self, name: "web", namespace: Self.namespace)
                return (rollout.status?.phase == .canary ? true : nil, "phase \(rollout.status?.phase?.rawValue ?? "-")")
            }
            // As SIGTERM would: the first controller finishes what it was doing and goes away; a new
            // one knows only what the API server holds.
            await controllers.stopAll()
            try await controllers.start()

            let done = try await Self.waitHealthy(client, notRevision: blue)
            let green = try #require(done.status?.activeRevision)
            let deployments = try await client.list(
                Deployment.self, namespace: Self.namespace, options: ListOptions(labelSelector: CutoverLabels.rollout))
            #expect(deployments.items.count == 2, "no duplicate Deployments after the restart")
            #expect(Set(deployments.items.compactMap { $0.metadata.labels?[CutoverLabels.revision] }) == [blue, green])

            watching.cancel()
            await watching.value
            let seen = monitor.snapshot
            #expect(seen.violations.isEmpty, "\(seen.violations)")
            #expect(seen.selectedRevisions.first == blue && seen.selectedRevisions.last == green, "\(seen.selectedRevisions)")
        }
    }
}
