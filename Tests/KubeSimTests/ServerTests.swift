import Foundation
import KubeModels
import Testing
@testable import KubeSim

@Suite("Server core: TLS, authentication, discovery, OpenAPI, tables")
struct ServerTests {
    @Test("HTTPS with the generated CA; a wrong or missing token gets 401 with the Status body")
    func tlsAndAuth() async throws {
        try await withSim(tls: true) { sim, client in
            #expect(sim.baseURL.hasPrefix("https://127.0.0.1:"))
            #expect(sim.caCertificatePEM.hasPrefix("-----BEGIN CERTIFICATE-----"))
            let ok = try await client.get("/api/v1/namespaces")
            #expect(ok.status == 200)
            #expect(ok.json["items"]?.arrayValue?.count == 4)
            let wrong = try TestClient(sim, token: "wrong")
            let denied = try await wrong.get("/api/v1/namespaces")
            #expect(denied.status == 401)
            #expect(denied.json == [
                "kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Failure", "message": "Unauthorized",
                "reason": "Unauthorized", "code": 401,
            ])
            let anonymous = try TestClient(sim, withToken: false)
            #expect(try await anonymous.get("/apis").status == 401)
            #expect(try await anonymous.get("/healthz").body == "ok")
            #expect(try await anonymous.get("/version").json["major"] == "1")
        }
    }

    @Test("the kubeconfig names the server, the CA data, the token and the default namespace")
    func kubeconfig() async throws {
        try await withSim(tls: true) { sim, _ in
            let path = TestClient.temporaryPath("kubeconfig")
            try sim.writeKubeconfig(to: path)
            let config = try YAMLBridge.parse(String(contentsOfFile: path, encoding: .utf8))
            let cluster = config["clusters"]?.arrayValue?.first?["cluster"]
            #expect(cluster?["server"]?.stringValue == sim.baseURL)
            let data = Data(base64Encoded: cluster?["certificate-authority-data"]?.stringValue ?? "") ?? Data()
            #expect(String(decoding: data, as: UTF8.self) == sim.caCertificatePEM)
            #expect(config["users"]?.arrayValue?.first?.at("user.token")?.stringValue == sim.token)
            #expect(config["current-context"] == "kube-sim")
            #expect(config["contexts"]?.arrayValue?.first?.at("context.namespace") == "default")
        }
    }

    @Test("aggregated discovery by default, legacy lists otherwise")
    func discovery() async throws {
        try await withSim { sim, client in
            try await Fixtures.installWidgets(sim)
            let accept = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json"
            let aggregated = try await client.get("/apis", accept: accept)
            #expect(aggregated.header("Content-Type").first == "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList")
            let groups = aggregated.json["items"]?.arrayValue ?? []
            let widgets = groups.first { $0.at("metadata.name") == "test.kubesim.dev" }?["versions"]?.arrayValue?.first?["resources"]?.arrayValue?.first
            #expect(widgets?["resource"] == "widgets")
            #expect(widgets?["scope"] == "Namespaced")
            #expect(widgets?["shortNames"] == ["wd"])
            #expect(widgets?["subresources"]?.arrayValue?.count == 2)
            let core = try await client.get("/api", accept: accept).json
            #expect(core["items"]?.arrayValue?.first?["metadata"] == [:])
            let legacy = try await client.get("/apis").json
            #expect(legacy["kind"] == "APIGroupList")
            let apps = try await client.get("/apis/apps/v1").json
            let names = apps["resources"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
            #expect(names == ["deployments", "deployments/status", "deployments/scale"])
        }
    }

    @Test("OpenAPI v3 has a PATCH operation with x-kubernetes-group-version-kind and fieldValidation")
    func openAPI() async throws {
        try await withSim { sim, client in
            try await Fixtures.installWidgets(sim)
            let index = try await client.get("/openapi/v3").json
            let url = index.at("paths")?["apis/test.kubesim.dev/v1"]?["serverRelativeURL"]?.stringValue ?? ""
            #expect(url.hasPrefix("/openapi/v3/apis/test.kubesim.dev/v1?hash="))
            let document = try await client.get(url + "&timeout=32s").json
            let operation = document["paths"]?["/apis/test.kubesim.dev/v1/namespaces/{namespace}/widgets/{name}"]?["patch"]
            #expect(operation?["x-kubernetes-group-version-kind"] == ["group": "test.kubesim.dev", "version": "v1", "kind": "Widget"])
            #expect(operation?["parameters"]?.arrayValue?.contains { $0["name"] == "fieldValidation" && $0["in"] == "query" } == true)
        }
    }

    @Test("Table output: deployment columns, CRD printer columns with ages, default Age only without columns")
    func tables() async throws {
        try await withSim { sim, client in
            let accept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"
            _ = try await client.post(Fixtures.deployments, Fixtures.deployment("web", replicas: 3))
            let table = try await client.get(Fixtures.deployments + "?limit=500", accept: accept).json
            #expect(table["kind"] == "Table")
            let columns = table["columnDefinitions"]?.arrayValue?.compactMap { $0["name"]?.stringValue }
            #expect(columns == ["Name", "Ready", "Up-to-date", "Available", "Age", "Containers", "Images", "Selector"])
            let row = table["rows"]?.arrayValue?.first
            #expect(row?["cells"]?.arrayValue?.prefix(4) == ["web", "0/3", 0, 0])
            #expect(row?.at("object.kind") == "PartialObjectMetadata")

            try await Fixtures.installWidgets(sim)
            _ = try await client.post(Fixtures.widgets, Fixtures.widget("w", replicas: 4, color: "blue"))
            let widgets = try await client.get(Fixtures.widgets + "/w", accept: accept).json
            #expect(widgets["columnDefinitions"]?.arrayValue?.compactMap { $0["name"]?.stringValue } == ["Name", "Replicas", "Color", "Phase", "Mode", "Age"])
            let cells = widgets["rows"]?.arrayValue?.first?["cells"]?.arrayValue ?? []
            #expect(cells.prefix(5) == ["w", 4, "blue", nil, "fast"])
            #expect(cells.last?.stringValue?.hasSuffix("s") == true)
            #expect(widgets["columnDefinitions"]?.arrayValue?[4]["priority"] == 1)
        }
    }

    static let ages: [(Double, String)] = [
        (5, "5s"), (119, "119s"), (150, "2m30s"), (600, "10m"), (3 * 3600 + 600, "3h10m"), (30 * 3600, "30h"),
        (2 * 86_400, "2d"), (3 * 86_400 + 3600 * 5, "3d5h"), (400 * 86_400, "400d"),
    ]

    @Test("human ages match kubectl's", arguments: ages)
    func humanDuration(seconds: Double, text: String) {
        #expect(TableConverter.humanDuration(seconds) == text)
    }
}
