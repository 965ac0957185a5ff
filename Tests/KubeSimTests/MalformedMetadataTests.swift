import KubeModels
import Testing
@testable import KubeSim

/// Metadata of the wrong JSON type: built-in kinds refuse it, custom resources lose the field, as
/// the apiextensions server decodes their metadata field by field.
@Suite("Malformed metadata")
struct MalformedMetadataTests {
    @Test("a built-in kind with a non-string label is a 400 naming the Go field")
    func builtinRefuses() async throws {
        try await withSim { _, client in
            var body = Fixtures.configMap("numbers")
            body["metadata"]?["labels"] = ["version": 5]
            let response = try await client.post(Fixtures.configmaps, body)
            #expect(response.status == 400)
            #expect(response.json["message"] == """
                ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot unmarshal number into Go struct field \
                ObjectMeta.metadata.labels of type string
                """)
        }
    }

    @Test("a custom resource keeps its well-formed metadata fields and loses the malformed ones")
    func customResourceDrops() async throws {
        try await withSim { sim, client in
            try await Fixtures.installWidgets(sim)
            var body = Fixtures.widget("odd")
            body["metadata"]?["labels"] = ["team": ["a", "b"], "tier": "web"]
            body["metadata"]?["annotations"] = ["note": "kept"]
            body["metadata"]?["finalizers"] = [1]
            body["metadata"]?["generation"] = "seven"
            let response = try await client.post(Fixtures.widgets, body)
            #expect(response.status == 201)
            #expect(response.json.at("metadata.labels") == nil)
            #expect(response.json.at("metadata.finalizers") == nil)
            #expect(response.json.at("metadata.annotations") == ["note": "kept"])
            #expect(response.json.at("metadata.generation") == 1)
            let patched = try await client.patch(Fixtures.widgets + "/odd", #"{"metadata":{"labels":{"n":2},"annotations":{"more":"x"}}}"#)
            #expect(patched.status == 200)
            #expect(patched.json.at("metadata.labels") == nil)
            #expect(patched.json.at("metadata.annotations") == ["note": "kept", "more": "x"])
        }
    }
}
