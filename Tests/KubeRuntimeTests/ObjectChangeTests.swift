import KubeModels
import Testing
@testable import KubeRuntime

/// Which changes should trigger a reconcile of the object itself.
@Suite struct ObjectChangeTests {
    static func deployment(generation: Int64, annotations: [String: String]? = nil, ready: Int32 = 0) -> Deployment {
        var meta = ObjectMeta(name: "web", namespace: "default", annotations: annotations)
        meta.generation = generation
        var deployment = Deployment(metadata: meta)
        deployment.status = DeploymentStatus(readyReplicas: ready)
        return deployment
    }

    @Test func aStatusOnlyWriteIsNotASpecChange() {
        let change = ObjectChange.modified(old: Self.deployment(generation: 1), new: Self.deployment(generation: 1, ready: 3))
        #expect(!change.isSpecOrMetadataChange)
        #expect(change.key == "default/web")
        #expect(change.oldObject?.status?.readyReplicas == 0)
    }

    @Test func generationAndAnnotationChangesAre() {
        #expect(ObjectChange.modified(old: Self.deployment(generation: 1), new: Self.deployment(generation: 2)).isSpecOrMetadataChange)
        let annotated = Self.deployment(generation: 1, annotations: ["cutover.dev/promote": "true"])
        #expect(ObjectChange.modified(old: Self.deployment(generation: 1), new: annotated).isSpecOrMetadataChange)
        #expect(ObjectChange.added(annotated).isSpecOrMetadataChange)
        #expect(ObjectChange.deleted(annotated).isSpecOrMetadataChange)
    }

    @Test func everyChangeOfAKindWithoutAGenerationIs() {
        var old = ConfigMap(metadata: ObjectMeta(name: "settings", namespace: "default"), data: ["a": "1"])
        old.metadata.resourceVersion = "1"
        var new = old
        new.data = ["a": "2"]
        new.metadata.resourceVersion = "2"
        #expect(ObjectChange.modified(old: old, new: new).isSpecOrMetadataChange)
    }
}
