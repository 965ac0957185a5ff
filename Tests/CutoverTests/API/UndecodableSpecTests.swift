import Cutover
import KubeModels
import Testing

/// The API server accepts any pod template (it keeps unknown fields), so a Rollout may hold a spec
/// the model cannot: it must still decode, report the field, and write the spec back unchanged.
@Suite struct UndecodableSpecTests {
    static let body = #"""
        {"apiVersion":"cutover.dev/v1alpha1","kind":"Rollout","metadata":{"name":"web","namespace":"shop","generation":2},
         "spec":{"selector":{"matchLabels":{"app":"web"}},"services":{"active":"web"},
                 "template":{"metadata":{"labels":{"app":["web"]}},"spec":{"containers":[{"name":"app","image":"x"}]}}},
         "status":{"phase":"Healthy","observedGeneration":1}}
        """#

    @Test func aSpecThatDoesNotFitTheModelNamesItsFieldAndIsWrittenBackVerbatim() throws {
        let rollout = try JSONValueDecoder().decode(Rollout.self, from: Array(Self.body.utf8))
        #expect(rollout.status?.phase == .healthy)
        #expect(rollout.undecodableSpec?.field == "spec.template.metadata.labels.app")
        #expect(rollout.validate().map(\.description) == [
            "spec.template.metadata.labels.app: does not fit the Rollout schema: expected String, found an array",
        ])
        let original = try JSONParser.parse(Self.body)
        #expect(try JSONValueEncoder().encode(rollout)["spec"] == original["spec"])
    }

    @Test func insideAListThePathStartsAtTheSpec() throws {
        let list = #"{"items":[{"metadata":{"name":"ok"},"spec":{"selector":{},"template":{},"services":{"active":"a"}}},"#
            + Self.body + "]}"
        let rollouts = try JSONValueDecoder().decode(ObjectList<Rollout>.self, from: Array(list.utf8)).items
        #expect(rollouts.map(\.undecodableSpec?.field) == [nil, "spec.template.metadata.labels.app"])
        let missing = try JSONValueDecoder().decode(Rollout.self, from: Array(#"{"metadata":{"name":"m"},"spec":{"selector":{},"template":{}}}"#.utf8))
        #expect(missing.validate().map(\.description) == ["spec.services: does not fit the Rollout schema: is required"])
    }
}
