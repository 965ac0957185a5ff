import Foundation
import KubeModels
import Testing
@testable import KubeSim

@Suite("REST semantics: create, get, update")
struct CRUDTests {
    @Test("create sets server fields and a second create is AlreadyExists")
    func createAndAlreadyExists() async throws {
        try await withSim { _, client in
            let created = try await client.post(Fixtures.configmaps, Fixtures.configMap("a", data: ["k": "v"]))
            #expect(created.status == 201)
            let object = created.json
            #expect(object.at("metadata.uid")?.stringValue?.count == 36)
            #expect(object.at("metadata.namespace") == "default")
            #expect(object.at("metadata.creationTimestamp")?.stringValue?.hasSuffix("Z") == true)
            #expect(Int(object.at("metadata.resourceVersion")?.stringValue ?? "") != nil)
            #expect(object.at("metadata.managedFields")?.arrayValue?.first?["manager"] == "curl")

            let again = try await client.post(Fixtures.configmaps, Fixtures.configMap("a"))
            #expect(again.status == 409)
            #expect(again.json["reason"] == "AlreadyExists")
            #expect(again.json["message"] == "configmaps \"a\" already exists")
            #expect(again.json.at("details.kind") == "configmaps")
        }
    }

    @Test("generateName appends a random suffix")
    func generateName() async throws {
        try await withSim { _, client in
            let body: JSONValue = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["generateName": "gen-"]]
            let first = try await client.post(Fixtures.configmaps, body).json.at("metadata.name")?.stringValue ?? ""
            let second = try await client.post(Fixtures.configmaps, body).json.at("metadata.name")?.stringValue ?? ""
            #expect(first.hasPrefix("gen-") && first.count == 9)
            #expect(first != second)
        }
    }

    @Test("get of a missing object is the exact NotFound Status; unknown paths too")
    func notFound() async throws {
        try await withSim { sim, client in
            try await Fixtures.installWidgets(sim)
            let missing = try await client.get(Fixtures.widgets + "/nope")
            #expect(missing.status == 404)
            #expect(missing.json == [
                "kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Failure",
                "message": "widgets.test.kubesim.dev \"nope\" not found", "reason": "NotFound",
                "details": ["name": "nope", "group": "test.kubesim.dev", "kind": "widgets"], "code": 404,
            ])
            let unknown = try await client.get("/apis/nothing.dev/v1/things")
            #expect(unknown.status == 404)
            #expect(unknown.json["message"] == "the server could not find the requested resource")
            let namespaceMissing = try await client.post("/api/v1/namespaces/ghost/configmaps", Fixtures.configMap("x"))
            #expect(namespaceMissing.status == 404)
            #expect(namespaceMissing.json["message"] == "namespaces \"ghost\" not found")
        }
    }

    @Test("PUT with a stale resourceVersion is 409 Conflict; the resourceVersion is global")
    func staleUpdate() async throws {
        try await withSim { _, client in
            let created = try await client.post(Fixtures.deployments, Fixtures.deployment("web")).json
            let other = try await client.post(Fixtures.configmaps, Fixtures.configMap("other")).json
            let rv1 = Int(created.at("metadata.resourceVersion")?.stringValue ?? "") ?? 0
            let rv2 = Int(other.at("metadata.resourceVersion")?.stringValue ?? "") ?? 0
            #expect(rv2 > rv1)
            var update = created
            update.set(path: ["spec", "replicas"], to: 3)
            let first = try await client.put(Fixtures.deployments + "/web", update)
            #expect(first.status == 200)
            let stale = try await client.put(Fixtures.deployments + "/web", update)
            #expect(stale.status == 409)
            #expect(stale.json["reason"] == "Conflict")
            #expect(stale.json["message"] == "Operation cannot be fulfilled on deployments.apps \"web\": the object has been modified; please apply your changes to the latest version and try again")
            // Built-in kinds accept a PUT without resourceVersion.
            var unconditional = first.json
            unconditional.set(path: ["metadata", "resourceVersion"], to: nil)
            unconditional.set(path: ["spec", "replicas"], to: 4)
            #expect(try await client.put(Fixtures.deployments + "/web", unconditional).status == 200)
        }
    }

    @Test("custom-resource PUT without resourceVersion is 422; PUT does not create")
    func customResourcePutRules() async throws {
        try await withSim { sim, client in
            try await Fixtures.installWidgets(sim)
            var widget = try await client.post(Fixtures.widgets, Fixtures.widget("w")).json
            widget.set(path: ["metadata", "resourceVersion"], to: nil)
            let response = try await client.put(Fixtures.widgets + "/w", widget)
            #expect(response.status == 422)
            #expect(response.json["message"] == "Widget.test.kubesim.dev \"w\" is invalid: metadata.resourceVersion: Invalid value: 0x0: must be specified for an update")
            let create = try await client.put(Fixtures.widgets + "/new", Fixtures.widget("new"))
            #expect(create.status == 404)
        }
    }

    @Test("generation bumps on spec changes only; status subresource separates spec and status")
    func generationAndStatus() async throws {
        try await withSim { sim, client in
            try await Fixtures.installWidgets(sim)
            var widget = try await client.post(Fixtures.widgets, Fixtures.widget("g")).json
            #expect(widget.at("metadata.generation") == 1)
            // A metadata-only change keeps the generation.
            widget.set(path: ["metadata", "labels"], to: ["x": "y"])
            widget = try await client.put(Fixtures.widgets + "/g", widget).json
            #expect(widget.at("metadata.generation") == 1)
            // Status on the main resource is ignored.
            widget.set(path: ["status"], to: ["phase": "Ignored"])
            widget = try await client.put(Fixtures.widgets + "/g", widget).json
            #expect(widget["status"] == nil)
            #expect(widget.at("metadata.generation") == 1)
            // A status write changes only status and keeps the generation.
            widget.set(path: ["status"], to: ["phase": "Running", "replicas": 2])
            widget.set(path: ["spec", "replicas"], to: 9)
            let statusWrite = try await client.put(Fixtures.widgets + "/g/status", widget)
            #expect(statusWrite.status == 200)
            #expect(statusWrite.json.at("status.phase") == "Running")
            #expect(statusWrite.json.at("spec.replicas") == 2)
            #expect(statusWrite.json.at("metadata.generation") == 1)
            // A spec change bumps it.
            widget = statusWrite.json
            widget.set(path: ["spec", "replicas"], to: 5)
            let specWrite = try await client.put(Fixtures.widgets + "/g", widget).json
            #expect(specWrite.at("metadata.generation") == 2)
            #expect(specWrite.at("status.phase") == "Running")
        }
    }

    @Test("a Secret's stringData is merged into data as base64 and never stored")
    func secretStringData() async throws {
        try await withSim { _, client in
            let body: JSONValue = [
                "apiVersion": "v1", "kind": "Secret", "metadata": ["name": "s"],
                "data": ["kept": "a2VwdA==", "k": "b2xk"], "stringData": ["k": "new value"],
            ]
            let created = try await client.post("/api/v1/namespaces/default/secrets", body)
            #expect(created.status == 201)
            let read = try await client.get("/api/v1/namespaces/default/secrets/s").json
            #expect(read["stringData"] == nil)
            #expect(read["type"] == "Opaque")
            #expect(read["data"] == ["kept": "a2VwdA==", "k": .string(Data("new value".utf8).base64EncodedString())])
        }
    }

    @Test("a write that changes nothing keeps the resourceVersion")
    func noOpWrite() async throws {
        try await withSim { _, client in
            let created = try await client.post(Fixtures.configmaps, Fixtures.configMap("same", data: ["a": "b"])).json
            let again = try await client.put(Fixtures.configmaps + "/same", created).json
            #expect(again.at("metadata.resourceVersion") == created.at("metadata.resourceVersion"))
        }
    }

    @Test("scale subresource for Deployments and CRDs returns autoscaling/v1 Scale")
    func scale() async throws {
        try await withSim { sim, client in
            _ = try await client.post(Fixtures.deployments, Fixtures.deployment("web", replicas: 2))
            let scale = try await client.get(Fixtures.deployments + "/web/scale").json
            #expect(scale["kind"] == "Scale")
            #expect(scale["apiVersion"] == "autoscaling/v1")
            #expect(scale.at("spec.replicas") == 2)
            #expect(scale.at("status.selector") == "app=web")
            let patched = try await client.patch(Fixtures.deployments + "/web/scale", #"{"spec":{"replicas":5}}"#)
            #expect(patched.status == 200)
            #expect(patched.json.at("spec.replicas") == 5)
            let deployment = try await client.get(Fixtures.deployments + "/web").json
            #expect(deployment.at("spec.replicas") == 5)
            #expect(deployment.at("metadata.generation") == 2)

            try await Fixtures.installWidgets(sim)
            _ = try await client.post(Fixtures.widgets, Fixtures.widget("s", replicas: 1))
            var status = try await client.get(Fixtures.widgets + "/s").json
            status.set(path: ["status"], to: ["replicas": 1, "selector": "app=s"])
            _ = try await client.put(Fixtures.widgets + "/s/status", status)
            var widgetScale = try await client.get(Fixtures.widgets + "/s/scale").json
            #expect(widgetScale.at("status.selector") == "app=s")
            #expect(widgetScale.at("status.replicas") == 1)
            widgetScale.set(path: ["spec", "replicas"], to: 7)
            let put = try await client.put(Fixtures.widgets + "/s/scale", widgetScale)
            #expect(put.status == 200)
            #expect(try await client.get(Fixtures.widgets + "/s").json.at("spec.replicas") == 7)
        }
    }

    @Test("both event APIs are views of one store")
    func eventViews() async throws {
        try await withSim { _, client in
            let event: JSONValue = [
                "apiVersion": "events.k8s.io/v1", "kind": "Event", "metadata": ["name": "e1"],
                "regarding": ["kind": "Widget", "name": "w", "namespace": "default"], "note": "hello",
                "reason": "Tested", "type": "Normal", "eventTime": "2026-11-21T22:46:00.000000Z",
                "reportingController": "tests", "reportingInstance": "tests-1", "action": "Test",
            ]
            let created = try await client.post("/apis/events.k8s.io/v1/namespaces/default/events", event)
            #expect(created.status == 201)
            #expect(created.json["note"] == "hello")
            let core = try await client.get("/api/v1/namespaces/default/events/e1").json
            #expect(core["message"] == "hello")
            #expect(core.at("involvedObject.name") == "w")
            #expect(core["reportingComponent"] == "tests")
            let listed = try await client.get("/api/v1/namespaces/default/events?fieldSelector=involvedObject.name%3Dw,involvedObject.kind%3DWidget").json
            #expect(listed["items"]?.arrayValue?.count == 1)
        }
    }

    @Test("RBAC kinds and leases are stored; cluster-scoped paths reject a namespace")
    func rbacAndLeases() async throws {
        try await withSim { _, client in
            let role: JSONValue = ["apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": ["name": "reader"],
                                   "rules": [["apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list"]]]]
            #expect(try await client.post("/apis/rbac.authorization.k8s.io/v1/namespaces/default/roles", role).status == 201)
            let clusterRole: JSONValue = ["apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": ["name": "admin-ish"]]
            #expect(try await client.post("/apis/rbac.authorization.k8s.io/v1/clusterroles", clusterRole).status == 201)
            #expect(try await client.get("/apis/rbac.authorization.k8s.io/v1/clusterroles/admin-ish").json["kind"] == "ClusterRole")
            #expect(try await client.get("/apis/rbac.authorization.k8s.io/v1/namespaces/default/clusterroles/admin-ish").status == 404)
            let lease: JSONValue = [
                "apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": ["name": "cutover-leader"],
                "spec": ["holderIdentity": "a", "leaseDurationSeconds": 15, "acquireTime": "2026-11-21T22:46:00.000000Z",
                         "renewTime": "2026-11-21T22:46:00.000000Z", "leaseTransitions": 0],
            ]
            var stored = try await client.post("/apis/coordination.k8s.io/v1/namespaces/default/leases", lease).json
            #expect(stored.at("spec.renewTime") == "2026-11-21T22:46:00.000000Z")
            stored.set(path: ["spec", "holderIdentity"], to: "b")
            #expect(try await client.put("/apis/coordination.k8s.io/v1/namespaces/default/leases/cutover-leader", stored).status == 200)
            #expect(try await client.put("/apis/coordination.k8s.io/v1/namespaces/default/leases/cutover-leader", stored).status == 409)
        }
    }
}
