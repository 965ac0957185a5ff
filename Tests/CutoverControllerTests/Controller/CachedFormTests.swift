import Cutover
import Foundation
import KubeModels
import Testing

@testable import CutoverController

/// The caches keep trimmed objects; planning from them must decide exactly as from the full ones.
@Suite("Cached forms")
struct CachedFormTests {
    /// A first deploy whose Deployment is ready, then a release of a new image: each plan made
    /// from trimmed objects equals the plan made from the full ones.
    @Test func planningFromTrimmedObjectsGivesTheSamePlans() throws {
        var rollout = try ReleaseTests.rollout(image: "example/web:1", podAnnotations: [:], progressDeadlineSeconds: 30)
        rollout.metadata.generation = 1
        rollout.metadata.annotations = [CachedForm.lastApplied: String(repeating: "x", count: 2_000)]
        // The release record names who changed the template: that survives the trim.
        rollout.metadata.managedFields = [
            ManagedFieldsEntry(manager: "ci", operation: "Apply", time: Timestamp(Date(timeIntervalSince1970: 1_800_000_000)), fieldsV1: ["f:spec": ["f:template": ["f:spec": [:]], "f:replicas": [:]]]),
            ManagedFieldsEntry(manager: "cutover-controller", operation: "Update", fieldsV1: ["f:status": [:]], subresource: "status"),
        ]
        // Claimed by the Rollout, as its first reconcile leaves it.
        let service = Service(
            metadata: ObjectMeta(name: "web", namespace: ReleaseTests.namespace, annotations: [CutoverLabels.managedBy: "web"]),
            spec: ServiceSpec(selector: ["app": "web"], ports: [ServicePort(name: "http", port: 80)]))
        let now = Date(timeIntervalSince1970: 1_800_000_000)

        let first = planNextStep(for: ReleaseSnapshot(rollout: rollout, services: ["web": service]), now: now)
        let created = try #require(first.actions.compactMap { if case .createDeployment(let d) = $0 { d } else { nil } }.first)
        var deployment = created
        deployment.metadata.generation = 1
        deployment.metadata.managedFields = [ManagedFieldsEntry(manager: "cutover", operation: "Update")]
        deployment.status = DeploymentStatus(
            observedGeneration: 1, replicas: 2, updatedReplicas: 2, readyReplicas: 2, availableReplicas: 2,
            conditions: [DeploymentCondition(type: "Available", status: "True")])
        rollout.status = first.status

        let trimmed = CachedForm.deployment(deployment)
        #expect(trimmed.spec?.template == PodTemplateSpec())
        #expect(trimmed.metadata.managedFields == nil)
        #expect(deployment.metadata.annotations?[CutoverLabels.template] != nil && trimmed.metadata.annotations?[CutoverLabels.template] == nil)
        #expect(trimmed.metadata.annotations?[CutoverLabels.templateFingerprint] == deployment.metadata.annotations?[CutoverLabels.templateFingerprint])
        #expect(trimmed.metadata.labels == deployment.metadata.labels)
        #expect(trimmed.status?.conditions == nil)
        #expect(CachedForm.service(service).spec == ServiceSpec(selector: ["app": "web"], ports: [ServicePort(name: "http", port: 80)]))
        #expect(CachedForm.service(service).metadata.annotations?[CutoverLabels.managedBy] == "web", "the claim survives the trim")
        #expect(CachedForm.rollout(rollout).metadata.managedFields?.map(\.manager) == ["ci"])

        for later in [now.addingTimeInterval(1), now.addingTimeInterval(40)] {
            let full = planNextStep(for: ReleaseSnapshot(rollout: rollout, deployments: [deployment], services: ["web": service]), now: later)
            let fromCache = planNextStep(
                for: ReleaseSnapshot(rollout: CachedForm.rollout(rollout), deployments: [trimmed], services: ["web": CachedForm.service(service)]),
                now: later)
            #expect(fromCache == full)
        }

        var released = rollout
        released.spec.template.spec = ["containers": [["name": "app", "image": "example/web:2"]]]
        released.metadata.generation = 2
        let full = planNextStep(for: ReleaseSnapshot(rollout: released, deployments: [deployment], services: ["web": service]), now: now.addingTimeInterval(60))
        let fromCache = planNextStep(
            for: ReleaseSnapshot(rollout: CachedForm.rollout(released), deployments: [trimmed], services: ["web": service]),
            now: now.addingTimeInterval(60))
        #expect(fromCache == full)
        #expect(full.actions.contains { if case .createDeployment = $0 { true } else { false } }, "the new image starts a release")
        #expect(fromCache.status.history?.last?.startedBy == "ci")
    }
}
