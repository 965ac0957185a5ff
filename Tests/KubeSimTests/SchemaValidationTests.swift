import KubeModels
import Testing
@testable import KubeSim

@Suite("CRD structural schema: validation, pruning, defaults, fieldValidation")
struct SchemaValidationTests {
    static let invalidCases: [(JSONValue, String, String)] = [
        (["replicas": -1, "color": "red"], "spec.replicas", "Invalid value: -1: spec.replicas in body should be greater than or equal to 0"),
        (["replicas": 101, "color": "red"], "spec.replicas", "Invalid value: 101: spec.replicas in body should be less than or equal to 100"),
        (["replicas": 1, "color": "pink"], "spec.color", "Unsupported value: \"pink\": supported values: \"red\", \"green\", \"blue\""),
        (["replicas": 1], "spec.color", "Required value"),
        (["replicas": "two", "color": "red"], "spec.replicas", "Invalid value: \"string\": spec.replicas in body must be of type integer: \"string\""),
        (["replicas": 1, "color": "red", "size": "12Ti"], "spec.size", "Invalid value: \"12Ti\": spec.size in body should match '^[0-9]+(Mi|Gi)$'"),
        (["replicas": 1, "color": "red", "size": "123456789Mi"], "spec.size", "Too long: may not be more than 8 bytes"),
    ]

    @Test("invalid objects get 422 Invalid with one cause per field", arguments: invalidCases)
    func invalid(spec: JSONValue, field: String, message: String) async throws {
        try await withSim { sim, client in
            try await Fixtures.installWidgets(sim)
            let body: JSONValue = ["apiVersion": "test.kubesim.dev/v1", "kind": "Widget", "metadata": ["name": "bad"], "spec": spec]
            let response = try await client.post(Fixtures.widgets, body)
            #expect(response.status == 422)
            #expect(response.json["reason"] == "Invalid")
            #expect(response.json.at("details.kind") == "Widget")
            let causes = response.json.at("details.causes")?.arrayValue ?? []
            #expect(causes.contains { $0["field"]?.stringValue == field && $0["message"]?.stringValue == message })
            #expect(response.json["message"]?.stringValue?.hasPrefix("Widget.test.kubesim.dev \"bad\" is invalid: ") == true)
        }
    }

    @Test("unknown fields are pruned with a warning, refused when Strict, silent when Ignore; defaults fill in")
    func pruningAndDefaults() async throws {
        try await withSim { sim, client in
            try await Fixtures.installWidgets(sim)
            let widget = Fixtures.widget("p", extra: ["bogus": 1, "extra": ["anything": ["goes": true]]])
            let warned = try await client.post(Fixtures.widgets, widget)
            #expect(warned.status == 201)
            #expect(warned.json.at("spec.bogus") == nil)
            #expect(warned.json.at("spec.extra.anything.goes") == true)
            #expect(warned.json.at("spec.mode") == "fast")
            #expect(warned.header("Warning") == ["299 - \"unknown field \\\"spec.bogus\\\"\""])
            let strict = try await client.post(Fixtures.widgets + "?fieldValidation=Strict", Fixtures.widget("q", extra: ["bogus": 1]))
            #expect(strict.status == 400)
            #expect(strict.json["message"] == "Widget in version \"v1\" cannot be handled as a Widget: strict decoding error: unknown field \"spec.bogus\"")
            let ignored = try await client.post(Fixtures.widgets + "?fieldValidation=Ignore", Fixtures.widget("r", extra: ["bogus": 1]))
            #expect(ignored.status == 201)
            #expect(ignored.header("Warning").isEmpty)
        }
    }
}
