import ClusterHarness
import Cutover
@testable import CutoverController
import Foundation
import KubeAPI
import KubeModels
import KubeSim
import Testing

/// One Rollout per Service, as a new user meets it: a second Rollout naming a Service the first
/// one steers leaves it alone and says so; deleting the first frees the Service.
@Suite("Service takeover", .serialized, .timeLimit(.minutes(2)))
struct ServiceTakeoverTests {
    static let namespace = ReleaseTests.namespace

    static func rollout(_ name: String, image: String) throws -> Rollout {
        let json = """
            {"apiVersion": "cutover.dev/v1alpha1", "kind": "Rollout",
             "metadata": {"name": "\(name)", "namespace": "\(namespace)"},
             "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
               "template": {"metadata": {"labels": {"app": "web"}, "annotations": {"sim.cutover.dev/ready-after": "200ms"}},
                            "spec": {"containers": [{"name": "app", "image": "\(image)"}]}},
               "services": {"active": "web"}}}
            """
        return try JSONDecoder().decode(Rollout.self, from: Data(json.utf8))
    }

    static func available(_ rollout: Rollout) -> Condition? { rollout.status?.conditions?.first { $0.type == "Available" } }

    @Test func aSecondRolloutNamingAClaimedServiceLeavesItAloneUntilTheFirstIsDeleted() async throws {
        try await withControllerCluster { _, client, controllers in
            try await controllers.start()
            try await ReleaseTests.createService(client)
            _ = try await client.create(try Self.rollout("web", image: "example/web:1"))
            let first = try await ReleaseTests.waitHealthy(client)
            let served = try #require(first.status?.activeRevision)
            let claimed = try await client.get(Service.self, name: "web", namespace: Self.namespace)
            #expect(claimed.metadata.annotations?[CutoverLabels.managedBy] == "web")

            _ = try await client.create(try Self.rollout("second", image: "example/web:2"))
            let refused = try await eventually("second to say the Service is in use", timeout: .seconds(20)) {
                let second = try await client.get(Rollout.self, name: "second", namespace: Self.namespace)
                let condition = Self.available(second)
                return (condition?.reason == "ServiceInUse" ? second : nil, "Available \(condition?.reason ?? "-"): \(condition?.message ?? "-")")
            }
            #expect(Self.available(refused)?.status == "False")
            #expect(Self.available(refused)?.message == "Service web is managed by Rollout web; second leaves it alone")
            #expect(refused.status?.message == "Service web is managed by Rollout web; second leaves it alone")
            let service = try await client.get(Service.self, name: "web", namespace: Self.namespace)
            #expect(service.spec?.selector?[CutoverLabels.revision] == served, "web's traffic stays on web's pods")
            #expect(service.metadata.annotations?[CutoverLabels.managedBy] == "web")
            let secondDeployments = try await client.list(
                Deployment.self, namespace: Self.namespace, options: ListOptions(labelSelector: "\(CutoverLabels.rollout)=second"))
            #expect(secondDeployments.items.isEmpty, "second touches nothing")
            let stillFirst = try await client.get(Rollout.self, name: "web", namespace: Self.namespace)
            #expect(stillFirst.status?.phase == .healthy)
            #expect(stillFirst.status?.activeRevision == served)

            // The claim is on the Service, not in memory: a restarted controller keeps to it.
            await controllers.stopAll()
            try await controllers.start()
            // A new template of second: the restarted controller plans it, and still leaves the Service alone.
            let patch: JSONValue = ["spec": ["template": ["spec": ["containers": [["name": "app", "image": "example/web:3"]]]]]]
            _ = try await client.patch(Rollout.self, name: "second", namespace: Self.namespace, patch: .merge(patch))
            _ = try await eventually("the restarted controller to plan second's new template", timeout: .seconds(20)) {
                let second = try await client.get(Rollout.self, name: "second", namespace: Self.namespace)
                let seen = second.status?.observedGeneration == second.metadata.generation && Self.available(second)?.reason == "ServiceInUse"
                return (seen ? true : nil, "observed \(second.status?.observedGeneration ?? 0) of \(second.metadata.generation ?? 0)")
            }
            let afterRestart = try await client.get(Service.self, name: "web", namespace: Self.namespace)
            #expect(afterRestart.spec?.selector?[CutoverLabels.revision] == served)
            #expect(afterRestart.metadata.annotations?[CutoverLabels.managedBy] == "web")

            // Deleting the owner frees the Service: second claims it and releases onto it.
            try await client.delete(Rollout.self, name: "web", namespace: Self.namespace)
            let takenOver = try await eventually("second to take the Service over", timeout: .seconds(60)) {
                let second = try await client.get(Rollout.self, name: "second", namespace: Self.namespace)
                let service = try await client.get(Service.self, name: "web", namespace: Self.namespace)
                let selected = service.spec?.selector?[CutoverLabels.revision]
                let owner = service.metadata.annotations?[CutoverLabels.managedBy]
                let done = second.status?.phase == .healthy && selected != nil && selected == second.status?.activeRevision && owner == "second"
                return (done ? second : nil, "phase \(second.status?.phase?.rawValue ?? "-"), selector \(selected ?? "-"), owner \(owner ?? "-")")
            }
            #expect(Self.available(takenOver)?.status == "True")
        }
    }
}
