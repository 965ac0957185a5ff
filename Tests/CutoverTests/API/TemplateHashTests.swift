import KubeModels
import Testing

@testable import Cutover

@Suite("TemplateHash")
struct TemplateHashTests {
    /// Golden values (cross-checked with an independent Python FNV-1a): these must never change, or
    /// every running Rollout would start a release.
    @Test func goldenHashesAreStable() {
        #expect(TemplateHash.fnv1a64("") == 0xcbf2_9ce4_8422_2325)
        #expect(TemplateHash.fnv1a64("a") == 0xaf63_dc4c_8601_ec8c)
        #expect(TemplateHash.canonicalJSON(of: Fixture.template()) == #"{"metadata":{"labels":{"app":"payment"}},"spec":{"containers":[{"image":"app:1","name":"app"}]}}"#)
        #expect(TemplateHash.of(Fixture.template()) == "4sdd789fvx")
        #expect(TemplateHash.of(Fixture.template(), collisionCount: 1) == "wqhlggvhgk")
        #expect(TemplateHash.of(Fixture.template(image: "app:2")) == "c6cnjtzpgj")
    }

    @Test func hashIsDNSSafeAndOrderIndependent() {
        let hash = TemplateHash.of(Fixture.template())
        #expect(hash.count == 10)
        #expect(hash.allSatisfy { TemplateHash.alphabet.contains($0) })
        let reordered = PodTemplateSpec(
            metadata: ObjectMeta(labels: ["app": "payment"]),
            spec: .object(["containers": [.object(["name": "app", "image": "app:1"])]]))
        #expect(TemplateHash.of(reordered) == hash)
    }

    @Test(arguments: ["app:2", "app:1 ", "App:1"])
    func anyChangeChangesTheHash(_ image: String) {
        #expect(TemplateHash.of(Fixture.template(image: image)) != TemplateHash.of(Fixture.template()))
    }

    @Test func annotationsCountButOtherMetadataDoesNot() {
        var named = Fixture.template()
        named.metadata?.namespace = "elsewhere"
        #expect(TemplateHash.of(named) == TemplateHash.of(Fixture.template()))
        #expect(TemplateHash.of(Fixture.template(annotations: ["a": "b"])) != TemplateHash.of(Fixture.template()))
    }
}
