import KubeModels
import Testing
@testable import KubeSim

/// Object names are refused as a real kube-apiserver refuses them, with its exact messages
/// (issue 16): DNS-1123 subdomains for most kinds, a DNS-1123 label for Namespaces, a DNS-1035
/// label for Services, any path segment for the RBAC kinds.
@Suite("Object names")
struct NameValidationTests {
    static let subdomain = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
    static let label = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
    static let dns1035 = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"

    @Test("a custom resource named C20-Bad-Name gets the real 422 text")
    func customResource() async throws {
        try await withSim { sim, client in
            try await Fixtures.installWidgets(sim)
            let response = try await client.post(Fixtures.widgets, Fixtures.widget("C20-Bad-Name"))
            #expect(response.status == 422)
            #expect(response.json["message"]?.stringValue
                == "Widget.test.kubesim.dev \"C20-Bad-Name\" is invalid: metadata.name: Invalid value: \"C20-Bad-Name\": \(Self.subdomain)")
            #expect(response.json.at("details.causes") == [[
                "reason": "FieldValueInvalid", "field": "metadata.name",
                "message": .string("Invalid value: \"C20-Bad-Name\": \(Self.subdomain)"),
            ]])
            #expect(try await client.get(Fixtures.widgets + "/C20-Bad-Name").status == 404)
        }
    }

    @Test("the name's cause comes before the schema's (the real validators' order)")
    func nameBeforeSchema() async throws {
        try await withSim { sim, client in
            try await Fixtures.installWidgets(sim)
            let response = try await client.post(Fixtures.widgets, Fixtures.widget("Bad", color: "pink"))
            let fields = (response.json.at("details.causes")?.arrayValue ?? []).map { $0["field"]?.stringValue ?? "" }
            #expect(fields == ["metadata.name", "spec.color"])
        }
    }

    static let builtinCases: [(String, String, String)] = [
        ("/api/v1/namespaces/default/configmaps", "ConfigMap", subdomain),
        ("/api/v1/namespaces", "Namespace", label),
        ("/api/v1/namespaces/default/services", "Service", dns1035),
        ("/apis/apps/v1/namespaces/default/deployments", "Deployment", subdomain),
    ]

    @Test("built-in kinds use their own rule", arguments: builtinCases)
    func builtin(path: String, kind: String, rule: String) async throws {
        try await withSim { _, client in
            let apiVersion = path.hasPrefix("/apis/apps") ? "apps/v1" : "v1"
            var body: JSONValue = ["apiVersion": .string(apiVersion), "kind": .string(kind), "metadata": ["name": "Bad_Name"]]
            if kind == "Deployment" { body = Fixtures.deployment("Bad_Name", app: "web") }
            if kind == "Service" { body["spec"] = ["ports": [["port": 80]]] }
            let response = try await client.post(path, body)
            #expect(response.status == 422, "\(response.json)")
            let causes = response.json.at("details.causes")?.arrayValue ?? []
            #expect(causes.first == ["reason": "FieldValueInvalid", "field": "metadata.name", "message": .string("Invalid value: \"Bad_Name\": \(rule)")])
        }
    }

    @Test("a Service name must start with a letter; a ConfigMap's may not; RBAC names may hold capitals but no '/'")
    func perKindRules() async throws {
        try await withSim { _, client in
            let service: JSONValue = ["apiVersion": "v1", "kind": "Service", "metadata": ["name": "1web"], "spec": ["ports": [["port": 80]]]]
            #expect(try await client.post("/api/v1/namespaces/default/services", service).status == 422)
            #expect(try await client.post(Fixtures.configmaps, Fixtures.configMap("1web")).status == 201)
            let role: JSONValue = ["apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": ["name": "system:Auth-Delegator"], "rules": []]
            #expect(try await client.post("/apis/rbac.authorization.k8s.io/v1/clusterroles", role).status == 201)
            let long = String(repeating: "a", count: 64)
            let namespace = try await client.post("/api/v1/namespaces", ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(long)]])
            #expect(namespace.json.at("details.causes")?.arrayValue?.first?["message"]
                == .string("Invalid value: \"\(long)\": must be no more than 63 characters"))
        }
    }

    @Test("path-segment names (RBAC) refuse '.', '..', '/' and '%'")
    func pathSegments() {
        #expect(NameValidation.problems("..", .pathSegment) == ["may not be '..'"])
        #expect(NameValidation.problems("a/b%c", .pathSegment) == ["may not contain '/'", "may not contain '%'"])
        #expect(NameValidation.problems("system:Auth", .pathSegment).isEmpty)
    }

    @Test("a bad generateName is reported as itself, then as the name it generated")
    func generateName() async throws {
        try await withSim { _, client in
            let body: JSONValue = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["generateName": "Web-"]]
            let response = try await client.post(Fixtures.configmaps, body)
            #expect(response.status == 422)
            let causes = response.json.at("details.causes")?.arrayValue ?? []
            #expect(causes.map { $0["field"] } == ["metadata.generateName", "metadata.name"])
            #expect(causes.first?["message"] == .string("Invalid value: \"Web-\": \(Self.subdomain)"))
            // A valid prefix ending in '-' is fine.
            let good = try await client.post(Fixtures.configmaps, ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["generateName": "web-"]])
            #expect(good.status == 201)
        }
    }
}
