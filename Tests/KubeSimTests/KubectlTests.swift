import Foundation
import KubeModels
import Testing
@testable import KubeSim

/// The installed kubectl (v1.32) against the simulator over TLS: what a user would type.
@Suite("kubectl against KubeSim", .serialized)
struct KubectlTests {
    static let widgetYAML = """
        apiVersion: test.kubesim.dev/v1
        kind: Widget
        metadata:
          name: w1
        spec:
          replicas: 2
          color: red
        """

    /// A TLS simulator with the Widget CRD applied through kubectl and one Widget created.
    func withWidget(_ body: (KubeSim, Kubectl, TestClient) async throws -> Void) async throws {
        try await withSim(tls: true) { sim, client in
            let kubectl = try Kubectl(sim)
            let crd = try await kubectl("apply", "-f", Fixtures.widgetCRDPath)
            #expect(crd.stdout == "customresourcedefinition.apiextensions.k8s.io/widgets.test.kubesim.dev created\n", "\(crd.stderr)")
            let created = try await kubectl("apply", "-f", "-", input: Self.widgetYAML)
            #expect(created.stdout == "widget.test.kubesim.dev/w1 created\n", "\(created.stderr)")
            try await body(sim, kubectl, client)
        }
    }

    @Test("get shows printer columns (wide adds priority columns); -o yaml shows defaults")
    func getColumnsAndYAML() async throws {
        try await withWidget { _, kubectl, _ in
            let table = try await kubectl("get", "widgets")
            let lines = table.stdout.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init) }
            #expect(lines.first == ["NAME", "REPLICAS", "COLOR", "PHASE", "AGE"], "\(table.stdout)\(table.stderr)")
            // The missing Phase is a null cell, which kubectl prints as blank.
            #expect(lines.dropFirst().first?.prefix(3) == ["w1", "2", "red"])
            #expect(lines.dropFirst().first?.count == 4)
            let wide = try await kubectl("get", "wd", "w1", "-o", "wide")
            #expect(wide.stdout.split(separator: "\n").first?.contains("MODE") == true, "\(wide.stdout)\(wide.stderr)")
            #expect(wide.stdout.contains("fast"))
            let yaml = try await kubectl("get", "widget", "w1", "-o", "yaml")
            #expect(yaml.stdout.contains("color: red"))
            #expect(yaml.stdout.contains("mode: fast"))
            #expect(yaml.stdout.contains("uid: "))
            // Re-applying the same file changes nothing.
            let again = try await kubectl("apply", "-f", "-", input: Self.widgetYAML)
            #expect(again.stdout == "widget.test.kubesim.dev/w1 unchanged\n", "\(again.stderr)")
        }
    }

    @Test("patch --type merge and annotate work; a default (strategic) patch is refused")
    func patchAndAnnotate() async throws {
        try await withWidget { _, kubectl, client in
            let merge = try await kubectl("patch", "widget", "w1", "--type", "merge", "-p", #"{"spec":{"replicas":3}}"#)
            #expect(merge.stdout == "widget.test.kubesim.dev/w1 patched\n", "\(merge.stderr)")
            let strategic = try await kubectl("patch", "widget", "w1", "-p", #"{"spec":{"replicas":4}}"#)
            #expect(strategic.status != 0)
            #expect(strategic.stderr.contains("application/strategic-merge-patch+json is not supported by test.kubesim.dev/v1, Kind=Widget: the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml"), "\(strategic.stderr)")
            let annotate = try await kubectl("annotate", "widget", "w1", "note=hi")
            #expect(annotate.stdout == "widget.test.kubesim.dev/w1 annotated\n", "\(annotate.stderr)")
            let object = try await client.get(Fixtures.widgets + "/w1").json
            #expect(object.at("spec.replicas") == 3)
            #expect(object.at("metadata.annotations.note") == "hi")
        }
    }

    @Test("an invalid object gets kubectl's 'is invalid' message; a wrong token is Unauthorized")
    func errors() async throws {
        try await withWidget { _, kubectl, _ in
            let invalid = try await kubectl("apply", "-f", "-", input: Self.widgetYAML.replacingOccurrences(of: "replicas: 2", with: "replicas: -1"))
            #expect(invalid.status != 0)
            // Two causes, as from a real server: the schema's minimum and the scale path's rule.
            #expect(invalid.stderr.contains("The Widget \"w1\" is invalid: \n* spec.replicas: Invalid value: -1: spec.replicas in body should be greater than or equal to 0\n* .spec.replicas: Invalid value: -1: should be a non-negative integer\n"), "\(invalid.stderr)")
            let create = try await kubectl("create", "-f", "-", input: Self.widgetYAML.replacingOccurrences(of: "w1", with: "w2").replacingOccurrences(of: "red", with: "pink"))
            #expect(create.stderr.contains(#"The Widget "w2" is invalid: spec.color: Unsupported value: "pink": supported values: "red", "green", "blue""#), "\(create.stderr)")
            let unknown = try await kubectl("apply", "-f", "-", input: Self.widgetYAML + "\n  bogus: 1\n")
            #expect(unknown.stderr.contains(#"strict decoding error: unknown field "spec.bogus""#), "\(unknown.stderr)")
            // With discovery cached (as after any earlier command), the list itself gets the 401
            // and kubectl prints the Status message; with a cold cache discovery fails first and
            // client-go reports it without reading the body, as against a real server.
            let cache = TestClient.temporaryPath("shared-cache")
            #expect(try await kubectl.run(["get", "widgets"], cacheDir: cache).status == 0)
            let unauthorized = try await kubectl.run(["get", "widgets", "--token", "wrong"], cacheDir: cache)
            #expect(unauthorized.status != 0)
            #expect(unauthorized.stderr.contains("error: You must be logged in to the server (Unauthorized)"), "\(unauthorized.stderr)")
            let cold = try await kubectl("get", "widgets", "--token", "wrong")
            #expect(cold.stderr.contains("error: You must be logged in to the server ("), "\(cold.stderr)")
        }
    }

    @Test("get -w sees a change")
    func watch() async throws {
        try await withWidget { sim, kubectl, client in
            async let watched = kubectl.run(["get", "widgets", "-w"], timeout: 4)
            #expect(await eventually(timeout: 4) { sim.store.watchCount > 0 })
            _ = try await client.patch(Fixtures.widgets + "/w1", #"{"spec":{"replicas":7}}"#)
            let output = try await watched
            let rows = output.stdout.split(separator: "\n").filter { $0.hasPrefix("w1") }
            #expect(rows.count == 2, "\(output.stdout)\(output.stderr)")
            #expect(rows.last?.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first == "7")
        }
    }

    @Test("describe shows the object's events")
    func describe() async throws {
        try await withWidget { _, kubectl, client in
            let widget = try await client.get(Fixtures.widgets + "/w1").json
            let event: JSONValue = [
                "apiVersion": "v1", "kind": "Event", "metadata": ["name": "w1.1"],
                "involvedObject": ["apiVersion": "test.kubesim.dev/v1", "kind": "Widget", "name": "w1", "namespace": "default",
                                   "uid": widget.at("metadata.uid") ?? ""],
                "reason": "Painted", "message": "painted it red", "type": "Normal", "count": 2,
                "firstTimestamp": .string(APIServer.now()), "lastTimestamp": .string(APIServer.now()),
                "source": ["component": "painter"],
            ]
            #expect(try await client.post("/api/v1/namespaces/default/events", event).status == 201)
            let output = try await kubectl("describe", "widget", "w1")
            #expect(output.stdout.contains("Events:"), "\(output.stdout)\(output.stderr)")
            #expect(output.stdout.contains("Painted"))
            #expect(output.stdout.contains("painted it red"))
            #expect(output.stdout.contains("painter"))
        }
    }

    @Test("scale deployment, then delete the owner and its Deployments are garbage-collected")
    func scaleAndDeleteCascade() async throws {
        try await withWidget { _, kubectl, client in
            let widget = try await client.get(Fixtures.widgets + "/w1").json
            let reference: JSONValue = [
                "apiVersion": "test.kubesim.dev/v1", "kind": "Widget", "name": "w1", "uid": widget.at("metadata.uid") ?? "",
                "controller": true, "blockOwnerDeletion": true,
            ]
            _ = try await client.post(Fixtures.deployments, Fixtures.deployment("web", replicas: 1, owner: reference))
            let scaled = try await kubectl("scale", "deployment", "web", "--replicas=3")
            #expect(scaled.stdout == "deployment.apps/web scaled\n", "\(scaled.stderr)")
            #expect(try await client.get(Fixtures.deployments + "/web").json.at("spec.replicas") == 3)
            let table = try await kubectl("get", "deployments")
            #expect(table.stdout.contains("READY"), "\(table.stdout)\(table.stderr)")
            let deleted = try await kubectl("delete", "widget", "w1")
            #expect(deleted.stdout == "widget.test.kubesim.dev \"w1\" deleted\n", "\(deleted.stderr)")
            let collected = try await eventually { try await client.get(Fixtures.deployments + "/web").status == 404 }
            #expect(collected)
        }
    }

    @Test("kubectl create generators (sent as protobuf) make namespaces, deployments, configmaps, secrets, services")
    func createGenerators() async throws {
        try await withSim(tls: true) { sim, client in
            let kubectl = try Kubectl(sim)
            for arguments in [
                ["create", "namespace", "demo"],
                ["-n", "demo", "create", "deployment", "web", "--image=nginx:1.27", "--replicas=3", "--port=80"],
                ["-n", "demo", "create", "configmap", "settings", "--from-literal=mode=blue"],
                ["-n", "demo", "create", "secret", "generic", "token", "--from-literal=key=value"],
                ["-n", "demo", "create", "service", "clusterip", "web", "--tcp=80:8080"],
            ] {
                let output = try await kubectl.run(arguments)
                #expect(output.status == 0, "\(arguments): \(output.stderr)")
            }
            let deployment = try await client.get("/apis/apps/v1/namespaces/demo/deployments/web").json
            #expect(deployment.at("spec.replicas") == 3)
            #expect(deployment.at("spec.selector.matchLabels.app") == "web")
            #expect(deployment.at("spec.template.spec.containers")?.arrayValue?.first?["image"] == "nginx:1.27")
            #expect(deployment.at("spec.template.spec.containers")?.arrayValue?.first?.at("ports")?.arrayValue?.first == ["containerPort": 80])
            #expect(try await client.get("/api/v1/namespaces/demo/configmaps/settings").json.at("data.mode") == "blue")
            #expect(try await client.get("/api/v1/namespaces/demo/secrets/token").json.at("data.key") == "dmFsdWU=")
            let service = try await client.get("/api/v1/namespaces/demo/services/web").json
            #expect(service.at("spec.ports")?.arrayValue?.first?["targetPort"] == 8080)
            #expect(service.at("spec.selector.app") == "web")
        }
    }

    @Test("the project's CRDs and its examples apply, with their printer columns")
    func rolloutCRD() async throws {
        let path = try #require(Fixtures.rolloutCRDPath, "crds/rollouts.cutover.dev.yaml is missing")
        try await withSim(tls: true) { sim, _ in
            let kubectl = try Kubectl(sim)
            let applied = try await kubectl("apply", "-f", URL(fileURLWithPath: path).deletingLastPathComponent().path)
            #expect(applied.stdout.contains("customresourcedefinition.apiextensions.k8s.io/rollouts.cutover.dev created\n"), "\(applied.stderr)")
            let listed = try await kubectl("get", "rollouts.cutover.dev", "-A")
            #expect(listed.status == 0, "\(listed.stderr)")
            let examples = URL(fileURLWithPath: path).deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("manifests/examples").path
            let files = ((try? FileManager.default.contentsOfDirectory(atPath: examples)) ?? []).filter { $0.hasSuffix(".yaml") }.sorted()
            #expect(files.count >= 2, "manifests/examples has no Rollout and Services")
            _ = try await kubectl("create", "namespace", "demo")
            for file in files.sorted(by: { $0.contains("services") && !$1.contains("services") }) {
                let result = try await kubectl("apply", "-f", examples + "/" + file)
                #expect(result.status == 0, "\(file): \(result.stderr)")
            }
            let rollouts = try await kubectl("get", "rollouts.cutover.dev", "-A", "-o", "name")
            #expect(rollouts.stdout.contains("rollout.cutover.dev/"), "\(rollouts.stdout)\(rollouts.stderr)")
            // What a user reads: the printer columns, the message only at -o wide, the short name.
            let table = try await kubectl("get", "cro", "-n", "demo")
            #expect(table.stdout.hasPrefix("NAME "), "\(table.stdout)\(table.stderr)")
            for column in ["PHASE", "WEIGHT", "ACTIVE", "GREEN", "AGE"] { #expect(table.stdout.contains(column), "\(table.stdout)") }
            #expect(!table.stdout.contains("MESSAGE"))
            let wide = try await kubectl("get", "rollouts", "-n", "demo", "-o", "wide")
            #expect(wide.stdout.contains("MESSAGE"), "\(wide.stdout)\(wide.stderr)")
            let groups = try await kubectl("get", "crg", "-n", "demo")
            #expect(groups.stdout.hasPrefix("NAME "), "\(groups.stdout)\(groups.stderr)")
            for column in ["PHASE", "READY", "STEP", "MESSAGE", "AGE"] { #expect(groups.stdout.contains(column), "\(groups.stdout)") }
            #expect(groups.stdout.contains("shop"), "\(groups.stdout)")
        }
    }
}
