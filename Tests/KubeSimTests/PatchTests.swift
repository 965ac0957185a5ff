import KubeModels
import Testing
@testable import KubeSim

@Suite("PATCH: merge, JSON, strategic merge and server-side apply")
struct PatchTests {
    @Test("merge patch merges maps, deletes with null, replaces lists")
    func mergePatch() async throws {
        try await withSim { _, client in
            _ = try await client.post(Fixtures.configmaps, Fixtures.configMap("m", labels: ["a": "1", "b": "2"], data: ["x": "1"]))
            let patched = try await client.patch(Fixtures.configmaps + "/m", #"{"metadata":{"labels":{"a":null,"c":"3"}},"data":{"y":"2"}}"#)
            #expect(patched.status == 200)
            #expect(patched.json.at("metadata.labels") == ["b": "2", "c": "3"])
            #expect(patched.json["data"] == ["x": "1", "y": "2"])
            #expect(patched.json.at("metadata.managedFields")?.arrayValue?.count ?? 0 >= 1)
        }
    }

    @Test("a patch that creates the labels map owns the map and the label, as `kubectl label` does on a real server")
    func patchCreatingAMapOwnsIt() async throws {
        try await withSim { _, client in
            _ = try await client.post(Fixtures.configmaps, ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "l"], "data": ["x": "1"]])
            let patched = try await client.patch(
                Fixtures.configmaps + "/l?fieldManager=labeller", #"{"metadata":{"labels":{"cutover.dev/shard":"1-of-3"}}}"#)
            let entry = patched.json.at("metadata.managedFields")?.arrayValue?.first { $0["manager"] == "labeller" }
            #expect(entry?["fieldsV1"] == ["f:metadata": ["f:labels": [".": [:], "f:cutover.dev/shard": [:]]]])
            // A label added to an existing map owns the label alone.
            let again = try await client.patch(Fixtures.configmaps + "/l?fieldManager=other", #"{"metadata":{"labels":{"b":"2"}}}"#)
            let other = again.json.at("metadata.managedFields")?.arrayValue?.first { $0["manager"] == "other" }
            #expect(other?["fieldsV1"] == ["f:metadata": ["f:labels": ["f:b": [:]]]])
        }
    }

    @Test("JSON patch applies operations; a failed test or a bad path is 422")
    func jsonPatch() async throws {
        try await withSim { _, client in
            _ = try await client.post(Fixtures.configmaps, Fixtures.configMap("j", data: ["x": "1"]))
            let ok = try await client.patch(
                Fixtures.configmaps + "/j", #"[{"op":"test","path":"/data/x","value":"1"},{"op":"add","path":"/data/y","value":"2"},{"op":"remove","path":"/data/x"}]"#,
                type: "application/json-patch+json")
            #expect(ok.status == 200)
            #expect(ok.json["data"] == ["y": "2"])
            let failedTest = try await client.patch(
                Fixtures.configmaps + "/j", #"[{"op":"test","path":"/data/y","value":"nope"}]"#, type: "application/json-patch+json")
            #expect(failedTest.status == 422)
            #expect(failedTest.json["reason"] == "Invalid")
            let badPath = try await client.patch(
                Fixtures.configmaps + "/j", #"[{"op":"replace","path":"/nothing/here","value":1}]"#, type: "application/json-patch+json")
            #expect(badPath.status == 422)
        }
    }

    @Test("strategic merge merges containers by name and honours $setElementOrder and $patch: delete")
    func strategicMerge() async throws {
        try await withSim { _, client in
            var deployment = Fixtures.deployment("s")
            deployment.set(path: ["spec", "template", "spec", "containers"], to: [
                ["name": "web", "image": "nginx:1", "env": [["name": "A", "value": "1"]]],
                ["name": "sidecar", "image": "envoy:1"],
            ])
            _ = try await client.post(Fixtures.deployments, deployment)
            let patch = #"""
            {"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"sidecar"},{"name":"web"}],
             "containers":[{"name":"web","image":"nginx:2","env":[{"name":"B","value":"2"}]}]}}}}
            """#
            let patched = try await client.patch(Fixtures.deployments + "/s", patch, type: "application/strategic-merge-patch+json")
            #expect(patched.status == 200)
            let containers = patched.json.at("spec.template.spec.containers")?.arrayValue ?? []
            #expect(containers.map { $0["name"] } == ["sidecar", "web"])
            #expect(containers.last?["image"] == "nginx:2")
            #expect(containers.last?["env"]?.arrayValue?.count == 2)
            #expect(patched.json.at("metadata.generation") == 2)
            let delete = #"{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","$patch":"delete"}]}}}}"#
            let removed = try await client.patch(Fixtures.deployments + "/s", delete, type: "application/strategic-merge-patch+json")
            #expect(removed.json.at("spec.template.spec.containers")?.arrayValue?.count == 1)
        }
    }

    @Test("strategic merge on a custom resource is 415 listing the accepted types")
    func strategicOnCustomResource() async throws {
        try await withSim { sim, client in
            try await Fixtures.installWidgets(sim)
            _ = try await client.post(Fixtures.widgets, Fixtures.widget("w"))
            let response = try await client.patch(Fixtures.widgets + "/w", #"{"spec":{"replicas":3}}"#, type: "application/strategic-merge-patch+json")
            #expect(response.status == 415)
            #expect(response.json["reason"] == "UnsupportedMediaType")
            #expect(response.json["message"] == "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml")
        }
    }

    @Test("a patch that sets a stale metadata.resourceVersion is 409")
    func patchPrecondition() async throws {
        try await withSim { _, client in
            let created = try await client.post(Fixtures.configmaps, Fixtures.configMap("p")).json
            let rv = created.at("metadata.resourceVersion")?.stringValue ?? ""
            #expect(try await client.patch(Fixtures.configmaps + "/p", #"{"metadata":{"resourceVersion":"\#(rv)"},"data":{"a":"1"}}"#).status == 200)
            let stale = try await client.patch(Fixtures.configmaps + "/p", #"{"metadata":{"resourceVersion":"\#(rv)"},"data":{"a":"2"}}"#)
            #expect(stale.status == 409)
            #expect(stale.json["reason"] == "Conflict")
        }
    }

    @Test("server-side apply creates, updates, keeps managedFields and reports conflicts unless forced")
    func serverSideApply() async throws {
        try await withSim { _, client in
            let config = #"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"ssa","labels":{"app":"ssa"}},"spec":{"replicas":2,"selector":{"matchLabels":{"app":"ssa"}},"template":{"metadata":{"labels":{"app":"ssa"}},"spec":{"containers":[{"name":"web","image":"nginx:1"}]}}}}"#
            let missingManager = try await client.patch(Fixtures.deployments + "/ssa", config, type: "application/apply-patch+yaml")
            #expect(missingManager.status == 400)
            let created = try await client.patch(Fixtures.deployments + "/ssa?fieldManager=alice", config, type: "application/apply-patch+yaml")
            #expect(created.status == 201)
            let managers = created.json.at("metadata.managedFields")?.arrayValue ?? []
            #expect(managers.contains { $0["manager"] == "alice" && $0["operation"] == "Apply" })
            // Another manager changes replicas with an update: it now owns the field.
            #expect(try await client.patch(Fixtures.deployments + "/ssa?fieldManager=bob", #"{"spec":{"replicas":5}}"#).status == 200)
            let conflict = try await client.patch(Fixtures.deployments + "/ssa?fieldManager=alice", config, type: "application/apply-patch+yaml")
            #expect(conflict.status == 409)
            #expect(conflict.json["message"] == "Apply failed with 1 conflict: conflict with \"bob\" using apps/v1: .spec.replicas")
            #expect(conflict.json.at("details.causes")?.arrayValue?.first?["reason"] == "FieldManagerConflict")
            let forced = try await client.patch(Fixtures.deployments + "/ssa?fieldManager=alice&force=true", config, type: "application/apply-patch+yaml")
            #expect(forced.status == 200)
            #expect(forced.json.at("spec.replicas") == 2)
            // YAML bodies are accepted too, and other fields survive.
            let yaml = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ssa\n  annotations:\n    note: yaml\n"
            let carol = try await client.patch(Fixtures.deployments + "/ssa?fieldManager=carol", yaml, type: "application/apply-patch+yaml")
            #expect(carol.status == 200)
            #expect(carol.json.at("metadata.annotations.note") == "yaml")
            #expect(carol.json.at("spec.template.spec.containers")?.arrayValue?.count == 1)
        }
    }
}

@Suite("PATCH bookkeeping")
struct PatchBookkeepingTests {
    @Test("re-applying the same configuration is a no-op; managedFields can be replaced by a JSON patch")
    func reapplyAndManagedFields() async throws {
        try await withSim { _, client in
            let config = #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"same"},"data":{"a":"1"}}"#
            let first = try await client.patch(Fixtures.configmaps + "/same?fieldManager=me", config, type: "application/apply-patch+yaml").json
            let second = try await client.patch(Fixtures.configmaps + "/same?fieldManager=me", config, type: "application/apply-patch+yaml").json
            #expect(second.at("metadata.resourceVersion") == first.at("metadata.resourceVersion"))
            let rv = second.at("metadata.resourceVersion")?.stringValue ?? ""
            let replace = #"[{"op":"replace","path":"/metadata/managedFields","value":[{"manager":"other","operation":"Apply","apiVersion":"v1","fieldsType":"FieldsV1","fieldsV1":{"f:data":{"f:a":{}}}}]},{"op":"replace","path":"/metadata/resourceVersion","value":"\#(rv)"}]"#
            let migrated = try await client.patch(Fixtures.configmaps + "/same", replace, type: "application/json-patch+json")
            #expect(migrated.status == 200)
            #expect(migrated.json.at("metadata.managedFields")?.arrayValue?.map { $0["manager"] } == ["other"])
        }
    }
}

/// The real server's answers to patches that fail (issue 16).
@Suite("PATCH failures as the real server reports them")
struct PatchFailureTests {
    @Test("a failed JSON-patch test is the generic 422 that names no object")
    func failedTest() async throws {
        try await withSim { _, client in
            _ = try await client.post(Fixtures.configmaps, Fixtures.configMap("j", data: ["y": "2"]))
            let response = try await client.patch(
                Fixtures.configmaps + "/j", #"[{"op":"test","path":"/data/y","value":"nope"}]"#, type: "application/json-patch+json")
            #expect(response.status == 422)
            #expect(response.json == [
                "kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Failure", "code": 422, "reason": "Invalid",
                "message": "the server rejected our request due to an error in our request",
                "details": [:],
            ])
        }
    }

    @Test("apply conflicts with several managers are grouped by manager, an applier named alone")
    func groupedConflicts() async throws {
        try await withSim { _, client in
            #expect(try await client.post(Fixtures.configmaps + "?fieldManager=bob", Fixtures.configMap("c", data: ["a": "1", "b": "2"])).status == 201)
            let dave = #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"c":"3"}}"#
            #expect(try await client.patch(Fixtures.configmaps + "/c?fieldManager=dave", dave, type: "application/apply-patch+yaml").status == 200)
            let carol = #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"a":"z","b":"z","c":"z"}}"#
            let conflict = try await client.patch(Fixtures.configmaps + "/c?fieldManager=carol", carol, type: "application/apply-patch+yaml")
            #expect(conflict.status == 409)
            #expect(conflict.json["message"] == "Apply failed with 3 conflicts: conflicts with \"bob\" using v1:\n- .data.a\n- .data.b\nconflicts with \"dave\":\n- .data.c")
            #expect(conflict.json["reason"] == "Conflict")
            let causes = (conflict.json.at("details.causes")?.arrayValue ?? []).map { "\($0["field"]?.stringValue ?? "") \($0["message"]?.stringValue ?? "")" }
            #expect(causes.sorted() == [".data.a conflict with \"bob\" using v1", ".data.b conflict with \"bob\" using v1", ".data.c conflict with \"dave\""])
            #expect(conflict.json.at("details.name") == nil)
        }
    }
}
